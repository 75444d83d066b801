# One image for every role (distill ingest | learner | serving | device | teacher ...):
#   docker build -t ghcr.io/convex-distill/distill:0.1.0 .
# Multi-stage: Debian's JDK and Maven build the jar; the runtime stage is Debian's JRE 17, non-root,
# with the DJL/PyTorch and ND4J/OpenBLAS natives unpacked at build time, so a pod never downloads
# or extracts anything (-Dai.djl.offline=true; read-only root filesystem, /tmp an emptyDir).
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml ./
COPY core core
COPY solver solver
COPY teacher teacher
COPY runtime runtime
COPY embedded-kafka embedded-kafka
COPY ingest ingest
COPY learner learner
COPY serving serving
COPY app app
COPY bench bench
COPY experiments experiments
COPY cli cli
COPY deploy deploy
RUN mvn -B -q -DskipTests -Dspotless.check.skip=true -pl cli -am install \
 && mkdir -p /opt/distill \
 && cp -r cli/target/distill.jar cli/target/lib /opt/distill/
# Load both engines once so their natives land in caches the runtime stage keeps.
RUN printf '%s\n' \
      'public class Warm { public static void main(String[] a) {' \
      '  ai.djl.engine.Engine.getEngine("PyTorch");' \
      '  org.nd4j.linalg.factory.Nd4j.create(2, 2).mmul(org.nd4j.linalg.factory.Nd4j.eye(2));' \
      '} }' > /tmp/Warm.java \
 && DJL_CACHE_DIR=/opt/distill/djl-cache java -Dai.djl.offline=true \
      -Dorg.bytedeco.javacpp.cachedir=/opt/distill/javacpp-cache \
      -cp "/opt/distill/lib/*:/opt/distill/distill.jar" /tmp/Warm.java

FROM debian:bookworm-slim
# dataset-fashion-mnist: what the teacher Job trains on (k8s/base/teacher.yaml).
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless dataset-fashion-mnist \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 distill \
 && useradd --uid 10001 --gid distill --home-dir /var/lib/distill --create-home distill
COPY --from=build --chown=root:root /opt/distill /opt/distill
ENV DJL_CACHE_DIR=/opt/distill/djl-cache \
    DISTILL_HOME=/var/lib/distill
USER 10001:10001
WORKDIR /var/lib/distill
EXPOSE 8080 9400 9401
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "-Dai.djl.offline=true", "-Dorg.bytedeco.javacpp.cachedir=/opt/distill/javacpp-cache", "-jar", "/opt/distill/distill.jar"]
CMD ["--help"]
