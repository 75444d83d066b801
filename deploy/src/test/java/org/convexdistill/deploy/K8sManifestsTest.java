package org.convexdistill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.convexdistill.cli.Distill;
import org.convexdistill.ingest.stage.IngestStage;
import org.convexdistill.learner.stream.StreamingLearner;
import org.convexdistill.runtime.topics.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8s/}: every overlay renders with kubectl kustomize, every object reads into the fabric8
 * or Strimzi model class with no unknown field, and the objects agree with each other and with the
 * code (commands and flags, config keys, topics, groups, transactional ids, probes, ports).
 */
class K8sManifestsTest {
  private static final Set<String> RECOMMENDED =
      Set.of(
          "app.kubernetes.io/name",
          "app.kubernetes.io/component",
          "app.kubernetes.io/part-of",
          "app.kubernetes.io/version");

  /** What each role's Kafka user must be allowed: (type, name, operation). */
  private static Map<String, List<String[]>> requiredAcls(String modelId) {
    Map<String, List<String[]>> need = new LinkedHashMap<>();
    List<String[]> startup = new ArrayList<>();
    for (String t :
        List.of(
            Topics.IMAGES,
            Topics.ACTIVATIONS,
            Topics.STUDENTS,
            Topics.SERVING_CONTROL,
            Topics.DEAD_LETTER)) {
      // TopicSetup lists and describes every topic at start (missing ones are created).
      startup.add(new String[] {"topic", t, "Describe"});
      startup.add(new String[] {"topic", t, "DescribeConfigs"});
    }
    List<String[]> device = new ArrayList<>();
    device.add(new String[] {"topic", Topics.IMAGES, "Write"});
    need.put("device", device);
    List<String[]> ingest = new ArrayList<>(startup);
    ingest.add(new String[] {"topic", Topics.IMAGES, "Read"});
    ingest.add(new String[] {"topic", Topics.ACTIVATIONS, "Write"});
    ingest.add(new String[] {"topic", Topics.DEAD_LETTER, "Write"});
    ingest.add(new String[] {"group", IngestStage.APPLICATION_ID, "Read"});
    ingest.add(new String[] {"transactionalId", IngestStage.APPLICATION_ID + "-x-0", "Write"});
    for (String op : List.of("Create", "Read", "Write", "Describe")) {
      ingest.add(new String[] {"topic", IngestStage.APPLICATION_ID + "-buffer-changelog", op});
    }
    need.put("ingest", ingest);
    List<String[]> learner = new ArrayList<>(startup);
    learner.add(new String[] {"topic", Topics.ACTIVATIONS, "Read"});
    learner.add(new String[] {"topic", Topics.STUDENTS, "Read"});
    learner.add(new String[] {"topic", Topics.STUDENTS, "Write"});
    learner.add(new String[] {"topic", Topics.DEAD_LETTER, "Write"});
    learner.add(
        new String[] {
          "transactionalId", StreamingLearner.TRANSACTIONAL_ID_PREFIX + modelId, "Write"
        });
    need.put("learner", learner);
    List<String[]> serving = new ArrayList<>(startup);
    serving.add(new String[] {"topic", Topics.STUDENTS, "Read"});
    serving.add(new String[] {"topic", Topics.SERVING_CONTROL, "Read"});
    serving.add(new String[] {"topic", Topics.SERVING_CONTROL, "Write"});
    need.put("serving", serving);
    return need;
  }

  private static List<PodTemplateSpec> pods(Manifests m) {
    List<PodTemplateSpec> out = new ArrayList<>();
    m.all(Deployment.class).forEach(d -> out.add(d.getSpec().getTemplate()));
    m.all(Job.class).forEach(j -> out.add(j.getSpec().getTemplate()));
    return out;
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels != null
        && labels.entrySet().containsAll(selector.entrySet());
  }

  private static Set<String> portNames(PodSpec spec) {
    Set<String> names = new HashSet<>();
    for (Container c : spec.getContainers()) {
      if (c.getPorts() != null) {
        c.getPorts().stream().map(ContainerPort::getName).forEach(names::add);
      }
    }
    return names;
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyObjectIsKnownToItsModelClassWithNoUnknownField(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    assertThat(m.objects).hasSizeGreaterThan(20);
    assertThat(m.unknownFields()).as("fields the model classes do not know").isEmpty();
    String namespace = overlay.equals("dev") ? "convex-distill-dev" : "convex-distill";
    for (HasMetadata o : m.objects) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      assertThat(o.getMetadata().getLabels().keySet()).as(id).containsAll(RECOMMENDED);
      if (!o.getKind().equals("Namespace")) {
        assertThat(o.getMetadata().getNamespace()).as(id).isEqualTo(namespace);
      }
    }
    for (var n : m.raw) {
      // The model classes report their own default version; what is applied is the file's.
      if (n.path("apiVersion").asText().startsWith("kafka.strimzi.io")) {
        assertThat(n.path("apiVersion").asText())
            .as(n.path("kind").asText())
            .isEqualTo("kafka.strimzi.io/v1");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void selectorsProbesAndPortsLineUp(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    for (Deployment d : m.all(Deployment.class)) {
      PodTemplateSpec t = d.getSpec().getTemplate();
      String id = "Deployment/" + d.getMetadata().getName();
      assertThat(selects(d.getSpec().getSelector().getMatchLabels(), t.getMetadata().getLabels()))
          .as(id + " selector matches its pods")
          .isTrue();
      for (Container c : t.getSpec().getContainers()) {
        Set<String> ports = portNames(t.getSpec());
        for (Probe p : Stream.of(c.getLivenessProbe(), c.getReadinessProbe()).toList()) {
          assertThat(p).as(id + " has liveness and readiness probes").isNotNull();
          IntOrString port = p.getHttpGet().getPort();
          assertThat(ports).as(id + " probe port").contains(port.getStrVal());
          String role = c.getArgs().get(0);
          Set<String> routes =
              role.equals("serving")
                  ? Set.of("/v2/health/live", "/v2/health/ready")
                  : Set.of("/health/live", "/health/ready");
          assertThat(routes)
              .as(id + " probe path is a real endpoint")
              .contains(p.getHttpGet().getPath());
        }
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).endsWith("/live");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).endsWith("/ready");
      }
    }
    for (Service s : m.all(Service.class)) {
      List<PodTemplateSpec> matched =
          pods(m).stream()
              .filter(p -> selects(s.getSpec().getSelector(), p.getMetadata().getLabels()))
              .toList();
      assertThat(matched).as("Service/" + s.getMetadata().getName() + " selects pods").isNotEmpty();
      for (ServicePort sp : s.getSpec().getPorts()) {
        for (PodTemplateSpec p : matched) {
          assertThat(portNames(p.getSpec()))
              .as("Service/" + s.getMetadata().getName() + " targetPort")
              .contains(sp.getTargetPort().getStrVal());
        }
      }
    }
    for (ServiceMonitor sm : m.all(ServiceMonitor.class)) {
      List<Service> services =
          m.all(Service.class).stream()
              .filter(
                  s ->
                      selects(
                          sm.getSpec().getSelector().getMatchLabels(), s.getMetadata().getLabels()))
              .toList();
      assertThat(services).as("ServiceMonitor/" + sm.getMetadata().getName()).hasSize(1);
      Set<String> ports = new HashSet<>();
      services.get(0).getSpec().getPorts().forEach(p -> ports.add(p.getName()));
      sm.getSpec().getEndpoints().forEach(e -> assertThat(ports).contains(e.getPort()));
      sm.getSpec().getEndpoints().forEach(e -> assertThat(e.getPath()).isEqualTo("/metrics"));
    }
    for (HorizontalPodAutoscaler h : m.all(HorizontalPodAutoscaler.class)) {
      m.one(Deployment.class, h.getSpec().getScaleTargetRef().getName());
    }
    for (PodDisruptionBudget pdb : m.all(PodDisruptionBudget.class)) {
      assertThat(
              pods(m).stream()
                  .anyMatch(
                      p ->
                          selects(
                              pdb.getSpec().getSelector().getMatchLabels(),
                              p.getMetadata().getLabels())))
          .as("PDB selects pods")
          .isTrue();
    }
    for (NetworkPolicy np : m.all(NetworkPolicy.class)) {
      if (np.getSpec().getIngress() == null) {
        continue;
      }
      for (var rule : np.getSpec().getIngress()) {
        for (NetworkPolicyPort port : rule.getPorts()) {
          boolean somePodHasIt =
              pods(m).stream()
                  .anyMatch(p -> portNames(p.getSpec()).contains(port.getPort().getStrVal()));
          assertThat(somePodHasIt)
              .as("NetworkPolicy/" + np.getMetadata().getName() + " port")
              .isTrue();
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void everyContainerRunsARealCommandWithOneImageAndSizedResources(String overlay)
      throws Exception {
    Manifests m = Manifests.render(overlay);
    Set<String> images = new TreeSet<>();
    for (PodTemplateSpec p : pods(m)) {
      assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
      List<Container> all = new ArrayList<>(p.getSpec().getContainers());
      if (p.getSpec().getInitContainers() != null) {
        all.addAll(p.getSpec().getInitContainers());
      }
      for (Container c : all) {
        images.add(c.getImage());
        assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      }
      for (Container c : p.getSpec().getContainers()) {
        String[] args = c.getArgs().toArray(String[]::new);
        assertThat(Distill.parseError(args)).as("distill " + String.join(" ", args)).isNull();
      }
      Set<String> volumes = new HashSet<>();
      p.getSpec().getVolumes().stream().map(Volume::getName).forEach(volumes::add);
      for (Container c : all) {
        for (VolumeMount vm : c.getVolumeMounts()) {
          assertThat(volumes).as(c.getName() + " mounts a declared volume").contains(vm.getName());
        }
      }
    }
    assertThat(images).as("one image for every role").hasSize(1);
    assertThat(images.iterator().next()).startsWith("ghcr.io/convex-distill/distill:");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void theConfigMapHoldsOnlyKeysTheRolesRead(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    Map<String, Set<String>> readersOf = new HashMap<>();
    for (PodTemplateSpec p : pods(m)) {
      for (Container c : p.getSpec().getContainers()) {
        Set<String> reads = Distill.environmentOf(c.getArgs().get(0));
        if (c.getEnvFrom() != null) {
          for (EnvFromSource e : c.getEnvFrom()) {
            readersOf
                .computeIfAbsent(e.getConfigMapRef().getName(), k -> new HashSet<>())
                .addAll(reads);
          }
        }
        if (c.getEnv() != null) {
          c.getEnv().stream()
              .map(e -> e.getName())
              .filter(n -> n.startsWith("DISTILL_"))
              .forEach(n -> assertThat(reads).as(c.getName() + " env").contains(n));
        }
      }
    }
    ConfigMap config = m.one(ConfigMap.class, "distill-config");
    assertThat(readersOf).containsKey("distill-config");
    assertThat(readersOf.get("distill-config"))
        .as("every key of distill-config is an option of a role that loads it")
        .containsAll(config.getData().keySet());
    // The map names the bootstrap listener Strimzi creates: <cluster>-kafka-bootstrap:<tls port>.
    Kafka kafka = m.all(Kafka.class).get(0);
    GenericKafkaListener tls =
        kafka.getSpec().getKafka().getListeners().stream()
            .filter(GenericKafkaListener::isTls)
            .findFirst()
            .orElseThrow();
    assertThat(config.getData().get("DISTILL_BOOTSTRAP_SERVERS"))
        .isEqualTo(kafka.getMetadata().getName() + "-kafka-bootstrap:" + tls.getPort());
    assertThat(tls.getAuth().getType()).isEqualTo("scram-sha-512");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void kafkaClientSettingsAreValidAndWhatTheyReadIsMounted(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    ConfigMap config = m.one(ConfigMap.class, "distill-config");
    ConfigMap client = m.one(ConfigMap.class, "distill-kafka-client");
    String file = config.getData().get("DISTILL_KAFKA_CONFIG");
    String dir = file.substring(0, file.lastIndexOf('/'));
    String name = file.substring(file.lastIndexOf('/') + 1);
    Properties props = new Properties();
    props.load(new StringReader(client.getData().get(name)));
    Map<String, Object> cfg = new HashMap<>();
    props.forEach((k, v) -> cfg.put((String) k, v));
    cfg.put("bootstrap.servers", config.getData().get("DISTILL_BOOTSTRAP_SERVERS"));
    // Kafka's own parser: types, enums; the config provider's ${dir:...} resolves at client start.
    cfg.remove("config.providers");
    String jaas = (String) cfg.remove("sasl.jaas.config");
    new AdminClientConfig(cfg);
    assertThat(jaas).matches("\\$\\{dir:/[^:]+:sasl\\.jaas\\.config}");
    String userDir = jaas.substring(6, jaas.lastIndexOf(':'));
    String caFile = props.getProperty("ssl.truststore.location");
    for (Deployment d : m.all(Deployment.class)) {
      PodSpec spec = d.getSpec().getTemplate().getSpec();
      Container c = spec.getContainers().get(0);
      Map<String, String> mounts = new HashMap<>();
      c.getVolumeMounts().forEach(vm -> mounts.put(vm.getMountPath(), vm.getName()));
      String id = "Deployment/" + d.getMetadata().getName();
      assertThat(mounts)
          .as(id)
          .containsKeys(dir, userDir, caFile.substring(0, caFile.lastIndexOf('/')));
      Volume user =
          spec.getVolumes().stream()
              .filter(v -> v.getName().equals(mounts.get(userDir)))
              .findFirst()
              .orElseThrow();
      Volume clientVolume =
          spec.getVolumes().stream()
              .filter(v -> v.getName().equals(mounts.get(dir)))
              .findFirst()
              .orElseThrow();
      assertThat(clientVolume.getConfigMap().getName()).isEqualTo("distill-kafka-client");
      // The user's Secret is the one the user operator writes for a KafkaUser of that name.
      String userName = user.getSecret().getSecretName();
      m.one(KafkaUser.class, userName);
      Volume ca =
          spec.getVolumes().stream()
              .filter(
                  v -> v.getName().equals(mounts.get(caFile.substring(0, caFile.lastIndexOf('/')))))
              .findFirst()
              .orElseThrow();
      assertThat(ca.getSecret().getSecretName())
          .isEqualTo(m.all(Kafka.class).get(0).getMetadata().getName() + "-cluster-ca-cert");
    }
  }

  private static boolean covers(AclRule rule, String type, String name, String op) {
    boolean typeMatches;
    String resourceName;
    AclResourcePatternType pattern;
    if (rule.getResource() instanceof AclRuleTopicResource t) {
      typeMatches = type.equals("topic");
      resourceName = t.getName();
      pattern = t.getPatternType();
    } else if (rule.getResource() instanceof AclRuleGroupResource g) {
      typeMatches = type.equals("group");
      resourceName = g.getName();
      pattern = g.getPatternType();
    } else if (rule.getResource() instanceof AclRuleTransactionalIdResource x) {
      typeMatches = type.equals("transactionalId");
      resourceName = x.getName();
      pattern = x.getPatternType();
    } else {
      return false;
    }
    boolean nameMatches =
        pattern == AclResourcePatternType.PREFIX
            ? name.startsWith(resourceName)
            : name.equals(resourceName);
    boolean opMatches =
        rule.getOperations().contains(AclOperation.ALL)
            || rule.getOperations().stream().anyMatch(o -> o.toValue().equalsIgnoreCase(op));
    return typeMatches && nameMatches && opMatches;
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void aclsCoverWhatEachRoleUsesAndOnlyTheLearnerWritesStudents(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    String modelId = m.one(ConfigMap.class, "distill-config").getData().get("DISTILL_MODEL_ID");
    for (Map.Entry<String, List<String[]>> e : requiredAcls(modelId).entrySet()) {
      KafkaUser user = m.one(KafkaUser.class, "distill-" + e.getKey());
      List<AclRule> rules =
          ((KafkaUserAuthorizationSimple) user.getSpec().getAuthorization()).getAcls();
      for (String[] need : e.getValue()) {
        assertThat(rules.stream().anyMatch(r -> covers(r, need[0], need[1], need[2])))
            .as("%s may %s %s %s", user.getMetadata().getName(), need[2], need[0], need[1])
            .isTrue();
      }
    }
    for (KafkaUser u : m.all(KafkaUser.class)) {
      List<AclRule> rules =
          ((KafkaUserAuthorizationSimple) u.getSpec().getAuthorization()).getAcls();
      boolean writesStudents =
          rules.stream().anyMatch(r -> covers(r, "topic", Topics.STUDENTS, "Write"));
      assertThat(writesStudents)
          .as(u.getMetadata().getName() + " writes students")
          .isEqualTo(u.getMetadata().getName().equals("distill-learner"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void topicsMatchTheCodeAndTheReplicationTheBrokersCanHold(String overlay) throws Exception {
    Manifests m = Manifests.render(overlay);
    Map<String, KafkaTopic> topics = new HashMap<>();
    m.all(KafkaTopic.class).forEach(t -> topics.put(t.getSpec().getTopicName(), t));
    assertThat(topics.keySet())
        .containsExactlyInAnyOrder(
            Topics.IMAGES,
            Topics.ACTIVATIONS,
            Topics.STUDENTS,
            Topics.SERVING_CONTROL,
            Topics.DEAD_LETTER);
    assertThat(topics.get(Topics.STUDENTS).getSpec().getPartitions()).isEqualTo(1);
    assertThat(topics.get(Topics.SERVING_CONTROL).getSpec().getPartitions()).isEqualTo(1);
    assertThat(topics.get(Topics.SERVING_CONTROL).getSpec().getConfig())
        .containsEntry("cleanup.policy", "compact");
    assertThat(topics.get(Topics.STUDENTS).getSpec().getConfig())
        .containsEntry("cleanup.policy", "compact");
    assertThat(
            String.valueOf(
                topics.get(Topics.STUDENTS).getSpec().getConfig().get("max.message.bytes")))
        .isEqualTo(String.valueOf(Topics.STUDENTS_MAX_MESSAGE_BYTES));
    assertThat(topics.get(Topics.IMAGES).getSpec().getConfig()).containsKey("retention.ms");
    assertThat(topics.get(Topics.ACTIVATIONS).getSpec().getConfig()).containsKey("retention.ms");
    int brokers =
        m.all(KafkaNodePool.class).stream()
            .filter(p -> p.getSpec().getRoles().contains(ProcessRoles.BROKER))
            .mapToInt(p -> p.getSpec().getReplicas())
            .sum();
    assertThat(
            m.all(KafkaNodePool.class).stream()
                .anyMatch(p -> p.getSpec().getRoles().contains(ProcessRoles.CONTROLLER)))
        .as("KRaft: a controller pool")
        .isTrue();
    Map<String, String> data = m.one(ConfigMap.class, "distill-config").getData();
    int rf = Integer.parseInt(data.get("DISTILL_REPLICATION_FACTOR"));
    int minIsr = Integer.parseInt(data.get("DISTILL_MIN_INSYNC_REPLICAS"));
    Kafka kafka = m.all(Kafka.class).get(0);
    assertThat(kafka.getSpec().getKafka().getVersion()).isEqualTo("4.4.0");
    Map<String, Object> brokerConfig = kafka.getSpec().getKafka().getConfig();
    assertThat(((Number) brokerConfig.get("default.replication.factor")).intValue()).isEqualTo(rf);
    assertThat(((Number) brokerConfig.get("min.insync.replicas")).intValue()).isEqualTo(minIsr);
    for (KafkaTopic t : topics.values()) {
      assertThat(t.getSpec().getReplicas())
          .as(t.getSpec().getTopicName())
          .isEqualTo(rf)
          .isLessThanOrEqualTo(brokers);
    }
    assertThat(minIsr).isLessThanOrEqualTo(rf);
    int partitions = Integer.parseInt(data.get("DISTILL_PARTITIONS"));
    assertThat(topics.get(Topics.IMAGES).getSpec().getPartitions()).isEqualTo(partitions);
    assertThat(topics.get(Topics.ACTIVATIONS).getSpec().getPartitions()).isEqualTo(partitions);
    Deployment ingest = m.one(Deployment.class, "distill-ingest");
    assertThat(ingest.getSpec().getReplicas())
        .as("stage replicas <= partitions")
        .isLessThanOrEqualTo(partitions);
    assertThat(m.one(Deployment.class, "distill-learner").getSpec().getReplicas()).isEqualTo(1);
    assertThat(m.one(Deployment.class, "distill-learner").getSpec().getStrategy().getType())
        .isEqualTo("Recreate");
    if (overlay.equals("prod")) {
      assertThat(brokers).isEqualTo(3);
      assertThat(rf).isEqualTo(3);
      assertThat(minIsr).isEqualTo(2);
    } else {
      assertThat(brokers).isEqualTo(1);
    }
  }
}
