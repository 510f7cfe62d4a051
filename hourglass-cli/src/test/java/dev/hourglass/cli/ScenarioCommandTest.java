package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code hourglass scenario run}: exit codes, the printed timeline and verdicts, and both reports. */
class ScenarioCommandTest {
  private static final String PASSING = """
      name: passes
      op: { tokens: { access-ttl: 1h } }
      steps:
        - login: alice
        - advance: 59m30s
        - request: GET /
          expect:
            status: 200
            op-events: { token_issued: { grant_type: refresh_token, count: 1 } }
      """;

  private static final String FAILING = """
      name: fails on purpose
      steps:
        - login: alice
        - session:
          expect:
            json: { remote_user: mallory }
      """;

  @Test
  void passingScenarioExitsZeroAndPrintsTheTimelineAndVerdicts(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("ok.yaml"), PASSING);
    Path json = dir.resolve("r.json");
    Path xml = dir.resolve("r.xml");
    CliRun r = CliRun.execute("scenario", "run", f.toString(), "--json", json.toString(), "--junit-xml", xml.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("timeline (lab clock)").contains("+00:59:30").contains("REFRESH_OK")
        .contains("✓ line 8 status 200").contains("PASS in").endsWith("1 passed, 0 failed\n");
    JsonObject report = new JsonObject(Files.readString(json));
    assertThat(report.getInteger("passed")).isEqualTo(1);
    assertThat(report.getJsonArray("scenarios").getJsonObject(0).getJsonArray("timeline")).isNotEmpty();
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    assertThat(doc.getDocumentElement().getAttribute("tests")).isEqualTo("1");
    assertThat(doc.getDocumentElement().getAttribute("failures")).isEqualTo("0");
  }

  @Test
  void aFailedExpectationExitsOneAndSaysWhatWasSeen(@TempDir Path dir) throws Exception {
    Path ok = Files.writeString(dir.resolve("a.yaml"), PASSING);
    Path bad = Files.writeString(dir.resolve("b.yaml"), FAILING);
    Path xml = dir.resolve("r.xml");
    CliRun r = CliRun.execute("scenario", "run", "--quiet", dir.toString(), "--junit-xml", xml.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("PASS passes").contains("✗ line 6 remote_user equals mallory  — got alice")
        .endsWith("1 passed, 1 failed\n");
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    assertThat(doc.getDocumentElement().getAttribute("tests")).isEqualTo("2");
    assertThat(doc.getDocumentElement().getAttribute("failures")).isEqualTo("1");
    assertThat(doc.getElementsByTagName("failure").item(0).getAttributes().getNamedItem("message").getNodeValue())
        .contains("line 6").contains("mallory");
    assertThat(ok).exists();
    assertThat(bad).exists();
  }

  @Test
  void aMalformedScenarioExitsTwoWithFileLineAndReasonBeforeAnythingRuns(@TempDir Path dir) throws Exception {
    Path ok = Files.writeString(dir.resolve("a.yaml"), PASSING);
    Path bad = Files.writeString(dir.resolve("z.yaml"), "name: x\nsteps:\n  - advance: soonish\n");
    CliRun r = CliRun.execute("scenario", "run", ok.toString(), bad.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(bad + ":3: steps[0].advance:").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("passes");
  }

  @Test
  void missingFileIsAUsageError() {
    CliRun r = CliRun.execute("scenario", "run", "/nonexistent/x.yaml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no such file");
  }

  @Test
  void labFlagsParseAndClashingPortsAreRefused() {
    LabCommand lab = CliRun.parse("lab", "--gateway-port", "18080", "--op-port", "19090");
    assertThat(lab.options().gatewayPort()).isEqualTo(18080);
    assertThat(lab.options().opPort()).isEqualTo(19090);
    assertThat(lab.options().upstreamPort()).isEqualTo(9093);
    CliRun r = CliRun.execute("lab", "--gateway-port", "9090");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("must differ");
  }
}
