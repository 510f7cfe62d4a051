package dev.hourglass.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hourglass.core.config.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScenarioParserTest {
  private static final String GOOD = """
      name: seed
      description: the seed's story
      op:
        tokens: { access-ttl: 1h, refresh-returns-id-token: false }
        logout: { expired-hint: reject }
      gateway:
        logout: { expired-hint: send }
      steps:
        - login: alice
        - advance: 61m
        - request: GET /api/orders
          api: true
          concurrency: 50
          headers: { X-Test: yes, X-N: 42 }
          expect:
            status: 200
            op-events:
              token_issued: { grant_type: refresh_token, count: 1 }
              refresh_reuse_detected: 0
        - session
        - session:
          expect:
            json:
              remote_user: alice
              access_token_expires: { after: now+30m }
              id_token.groups: { contains: admins }
        - logout:
          confirm: false
          expect:
            gateway-events: { LOGOUT_HINT_EXPIRED_SENT: 1 }
            op-events: { logout_rejected: { at-least: 1, scope: scenario } }
            session-active: false
        - expect:
            op-events: { logout: 0 }
      ---
      name: second
      steps:
        - rotate-keys
        - fault: { endpoint: token, count: 1, error: invalid_grant }
        - op-settings: { expired-hint: accept }
        - clear-faults
        - op-logout
        - refresh
      """;

  @Test
  void readsEveryStepKindAndExpectation() {
    List<Scenario> all = ScenarioParser.parse("s.yaml", GOOD);
    assertThat(all).extracting(Scenario::name).containsExactly("seed", "second");
    Scenario s = all.get(0);
    assertThat(s.op()).containsKey("tokens");
    assertThat(s.steps()).hasSize(7);
    assertThat(s.steps().get(0)).isEqualTo(new Step.Login("alice", null, 9, java.util.Optional.empty()));
    assertThat(((Step.Advance) s.steps().get(1)).amount()).isEqualTo(Duration.ofMinutes(61));
    Step.Request r = (Step.Request) s.steps().get(2);
    assertThat(r.concurrency()).isEqualTo(50);
    assertThat(r.api()).isTrue();
    assertThat(r.headers()).containsEntry("X-Test", "true").containsEntry("X-N", "42");
    Expectations x = r.expect().orElseThrow();
    assertThat(x.status()).isEqualTo(200);
    assertThat(x.opEvents()).hasSize(2);
    assertThat(x.opEvents().get(0).where()).containsEntry("grant_type", "refresh_token");
    assertThat(x.opEvents().get(0).exactly()).isEqualTo(1);
    assertThat(x.opEvents().get(0).wholeScenario()).isFalse();
    assertThat(s.steps().get(3)).isInstanceOf(Step.SessionRead.class);
    Expectations j = s.steps().get(4).expect().orElseThrow();
    assertThat(j.json()).containsKeys("remote_user", "access_token_expires", "id_token.groups");
    Step.Logout l = (Step.Logout) s.steps().get(5);
    assertThat(l.confirm()).isFalse();
    assertThat(l.expect().orElseThrow().opEvents().get(0).wholeScenario()).isTrue();
    assertThat(l.expect().orElseThrow().sessionActive()).isFalse();
    assertThat(s.steps().get(6)).isInstanceOf(Step.Check.class);
    assertThat(s.steps().get(6).expect().orElseThrow().opEvents().get(0).wholeScenario())
        .as("a standalone expect counts over the whole scenario").isTrue();
    assertThat(all.get(1).steps()).extracting(st -> st.getClass().getSimpleName())
        .containsExactly("RotateKeys", "Fault", "OpSettings", "ClearFaults", "OpLogout", "Refresh");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      unknown step            | name: x\\nsteps:\\n  - teleport: mars\\n                         | 3 | steps[0].teleport   | unknown step
      two actions in a step   | name: x\\nsteps:\\n  - login: a\\n    advance: 1h\\n          | 3 | steps[0]            | does one thing
      bad duration            | name: x\\nsteps:\\n  - advance: soon\\n                      | 3 | steps[0].advance    | not a duration
      bad request line        | name: x\\nsteps:\\n  - request: FETCH orders\\n              | 3 | steps[0].request    | METHOD /path
      concurrency too high    | name: x\\nsteps:\\n  - request: GET /\\n    concurrency: 5000\\n | 4 | steps[0].concurrency | between 1 and
      option on wrong step    | name: x\\nsteps:\\n  - advance: 1h\\n    concurrency: 2\\n    | 4 | steps[0].concurrency | does not apply
      unknown expect key      | name: x\\nsteps:\\n  - session:\\n    expect:\\n      stauts: 200\\n | 5 | steps[0].expect.stauts | unknown key
      status not a number     | name: x\\nsteps:\\n  - session:\\n    expect: { status: ok }\\n | 4 | steps[0].expect.status | whole number
      count and at-least      | name: x\\nsteps:\\n  - session:\\n    expect:\\n      op-events: { logout: { count: 1, at-least: 1 } }\\n | 5 | steps[0].expect.op-events.logout | exactly one of
      bad matcher             | name: x\\nsteps:\\n  - session:\\n    expect:\\n      json: { exp: { roughly: 5 } }\\n | 5 | steps[0].expect.json.exp | expected a value or one of
      bad regex               | name: x\\nsteps:\\n  - session:\\n    expect:\\n      json: { sub: { matches: '(' } }\\n | 5 | steps[0].expect.json.sub.matches | regular expression
      bad relative time       | name: x\\nsteps:\\n  - session:\\n    expect:\\n      json: { exp: { after: tomorrow } }\\n | 5 | steps[0].expect.json.exp.after | now+5m
      no name                 | steps:\\n  - session\\n                                    | 1 | name                | needs a name
      no steps                | name: x\\n                                                 | 1 | steps               | non-empty list
      steps not a list        | name: x\\nsteps: login\\n                                  | 2 | steps               | non-empty list
      unknown top-level key   | name: x\\nstpes: []\\n                                     | 2 | stpes               | unknown key
      duplicate key           | name: x\\nname: y\\nsteps: [session]\\n                    | 2 | name                | duplicate key
      broken yaml             | name: x\\nsteps: [login: a\\n                              | 3 |                     | not valid YAML
      login without user      | name: x\\nsteps:\\n  - login:\\n                           | 3 | steps[0].login      | expected a string
      """)
  void malformedScenarioNamesFileLineAndReason(String what, String yaml, int line, String key, String reason) {
    String text = yaml.replace("\\n", "\n");
    assertThatThrownBy(() -> ScenarioParser.parse("bad.yaml", text))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.file()).isEqualTo("bad.yaml");
          assertThat(e.line()).as("line").isEqualTo(line);
          assertThat(e.key()).as("key").isEqualTo(key == null ? "" : key);
          assertThat(e.getMessage()).contains(reason);
        });
  }

  @Test
  void emptyFileIsAnError() {
    assertThatThrownBy(() -> ScenarioParser.parse("e.yaml", "")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void deeplyNestedInputIsRefusedNotAStackOverflow() {
    String deep = "name: x\nsteps: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    assertThatThrownBy(() -> ScenarioParser.parse("deep.yaml", deep)).isInstanceOf(ConfigException.class);
  }
}
