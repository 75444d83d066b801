package org.convexdistill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile, read (no Docker engine on this machine kind): it copies every module the POM
 * lists (Maven refuses a reactor with a missing module), runs as a non-root user, offline.
 */
class DockerfileTest {
  @Test
  void copiesEveryModuleAndRunsOfflineAsNonRoot() throws Exception {
    String pom = Files.readString(Repo.root().resolve("pom.xml"));
    String docker = Files.readString(Repo.root().resolve("Dockerfile"));
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    List<String> modules = m.results().map(r -> r.group(1)).toList();
    assertThat(modules).contains("cli", "deploy");
    for (String module : modules) {
      assertThat(docker)
          .as("COPY of module " + module)
          .containsPattern("(?m)^COPY " + module + " " + module + "$");
    }
    assertThat(docker).containsPattern("(?m)^FROM \\S+ AS build$");
    assertThat(docker).containsPattern("(?m)^USER 10001:10001$");
    assertThat(docker).contains("-Dai.djl.offline=true").contains("openjdk-17-jre-headless");
    String ignore = Files.readString(Repo.root().resolve(".dockerignore"));
    assertThat(ignore).contains("**/target", ".git");
  }
}
