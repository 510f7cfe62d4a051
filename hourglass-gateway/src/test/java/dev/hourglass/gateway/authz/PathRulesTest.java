package dev.hourglass.gateway.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hourglass.gateway.GatewayConfig;
import dev.hourglass.gateway.GatewayConfig.Requirement;
import dev.hourglass.gateway.GatewayConfig.Rule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathRulesTest {
  private final PathRules rules = new PathRules(List.of(
      new Rule("/public/", true, null, null, null),
      new Rule("/static/*.css", true, null, null, null),
      new Rule("/admin/**", null, null, List.of(new Requirement("groups", null, null, null, "admins")), null),
      new Rule("/x/", null, null, List.of(
          new Requirement("realm_access.roles", null, null, null, "boss"),
          new Requirement("dept", "it", null, null, null),
          new Requirement("level", null, List.of("gold", "platinum"), null, null),
          new Requirement("email", null, null, ".*@example\\.com", null)), null)));

  @Test
  void firstMatchingRuleWinsWithPrefixesAndGlobs() {
    assertThat(rules.match("/public/a/b").name()).isEqualTo("rule-1");
    assertThat(rules.match("/static/site.css").name()).isEqualTo("rule-2");
    assertThat(rules.match("/static/a/site.css").name()).isEqualTo("rule-0");
    assertThat(rules.match("/admin/").name()).isEqualTo("rule-3");
    assertThat(rules.match("/admin/a/b/c").name()).isEqualTo("rule-3");
    assertThat(rules.match("/publicity").rule()).isSameAs(PathRules.DEFAULT);
  }

  @Test
  void requirementsCoverEqualsOneOfRegexNestedAndContains() {
    PathRules.Compiled x = rules.match("/x/1");
    Map<String, Object> ok = Map.of("realm_access", Map.of("roles", List.of("boss", "x")), "dept", "it", "level", "gold",
        "email", "a@example.com");
    assertThat(PathRules.unmet(x, ok)).isEmpty();
    assertThat(PathRules.unmet(x, Map.of())).isPresent();
    assertThat(PathRules.unmet(x, with(ok, "dept", "IT"))).isPresent();
    assertThat(PathRules.unmet(x, with(ok, "level", "silver"))).isPresent();
    assertThat(PathRules.unmet(x, with(ok, "email", "a@example.com.evil"))).isPresent();
    assertThat(PathRules.unmet(x, with(ok, "realm_access", Map.of("roles", List.of("bossy"))))).isPresent();
    assertThat(PathRules.unmet(x, with(ok, "dept", List.of("it", "hr")))).isPresent();
    PathRules.Compiled admin = rules.match("/admin/");
    assertThat(PathRules.unmet(admin, Map.of("groups", List.of("users", "admins")))).isEmpty();
    assertThat(PathRules.unmet(admin, Map.of("groups", "admins"))).isEmpty();
    assertThat(PathRules.unmet(admin, Map.of("groups", List.of("administrators")))).isPresent();
  }

  private static Map<String, Object> with(Map<String, Object> base, String k, Object v) {
    Map<String, Object> m = new java.util.HashMap<>(base);
    m.put(k, v);
    return m;
  }

  @Test
  void aRequirementNeedsExactlyOneTest() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new GatewayConfig.Requirement("a", "x", null, "y", null))
        .hasMessageContaining("exactly one");
  }
}
