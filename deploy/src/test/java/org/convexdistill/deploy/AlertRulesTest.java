package org.convexdistill.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules: valid for promtool, each alert unit-tested, and the same in k8s/ as in grafana/.
 */
class AlertRulesTest {
  static final Path RULES = Repo.root().resolve("grafana/alerts/convex-distill.rules.yaml");

  static String promtool(String... args) throws Exception {
    Path promtool =
        Repo.tool(
            "promtool",
            "run the tests with './distill test' (it unpacks Debian's prometheus package into"
                + " .tools/), or 'apt-get install prometheus'");
    List<String> cmd = new java.util.ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    Process p =
        new ProcessBuilder(cmd)
            .directory(RULES.getParent().toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
    return out;
  }

  @Test
  void promtoolAcceptsTheRulesAndEveryAlertPassesItsUnitTest() throws Exception {
    assertThat(promtool("check", "rules", "convex-distill.rules.yaml"))
        .contains("SUCCESS: 10 rules found");
    assertThat(promtool("test", "rules", "convex-distill.rules.test.yaml")).contains("SUCCESS");
    JsonNode file = Manifests.YAML.readTree(RULES.toFile());
    JsonNode tests =
        Manifests.YAML.readTree(RULES.resolveSibling("convex-distill.rules.test.yaml").toFile());
    java.util.Set<String> tested = new java.util.HashSet<>();
    tests
        .path("tests")
        .forEach(
            t ->
                t.path("alert_rule_test")
                    .forEach(
                        a -> {
                          if (!a.path("exp_alerts").isEmpty()) {
                            tested.add(a.path("alertname").asText());
                          }
                        }));
    for (JsonNode rule : file.path("groups").get(0).path("rules")) {
      String name = rule.path("alert").asText();
      assertThat(tested).as("a firing test case for " + name).contains(name);
      assertThat(rule.path("labels").path("severity").asText())
          .as(name)
          .isIn("critical", "warning", "info");
      assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
      assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
    }
  }

  @Test
  void thePrometheusRuleInK8sHoldsTheSameGroups() throws Exception {
    JsonNode plain = Manifests.YAML.readTree(RULES.toFile()).path("groups");
    for (String overlay : List.of("dev", "prod")) {
      Manifests m = Manifests.render(overlay);
      PrometheusRule rule = m.all(PrometheusRule.class).get(0);
      JsonNode inK8s = Manifests.YAML.valueToTree(rule.getSpec().getGroups());
      assertThat(normalise(inK8s)).as(overlay).isEqualTo(normalise(plain));
    }
  }

  /** Drops nulls the model adds when it writes a group back (e.g. interval: null). */
  private static JsonNode normalise(JsonNode n) throws Exception {
    String json =
        Manifests.YAML
            .writeValueAsString(n)
            .lines()
            .filter(l -> !l.trim().endsWith(": null"))
            .reduce("", (a, b) -> a + b + "\n");
    JsonNode t = Manifests.YAML.readTree(json);
    // Strings written as block scalars or quoted compare by content.
    return Manifests.YAML.readTree(Manifests.YAML.writeValueAsString(t));
  }
}
