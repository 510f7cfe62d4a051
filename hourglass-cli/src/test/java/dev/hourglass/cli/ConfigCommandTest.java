package dev.hourglass.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {
  @TempDir Path dir;

  private Path write(String name, String yaml) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void parsesFileAndKindFlags() {
    ConfigCommand.Check c = CliRun.parse("config", "check", "gw.yaml");
    assertThat(c.file).isEqualTo(Path.of("gw.yaml"));
    assertThat(c.forcedKind()).isEmpty();
    assertThat(((ConfigCommand.Check) CliRun.parse("config", "check", "--op", "x.yaml")).forcedKind()).contains(ConfigChecker.Kind.op);
    assertThat(((ConfigCommand.Check) CliRun.parse("config", "check", "x.yaml", "--gateway")).forcedKind()).contains(ConfigChecker.Kind.gateway);
    assertThat(CliRun.execute("config", "check", "--op", "--gateway", "x.yaml").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("config", "check").exitCode()).isEqualTo(2);
    assertThat(CliRun.execute("config").exitCode()).isEqualTo(2);
  }

  @Test
  void detectsTheKindFromTopLevelKeys() throws Exception {
    assertThat(ConfigChecker.detect(write("a.yaml", "issuer: http://127.0.0.1:9090\nclients: []\n"))).isEqualTo(ConfigChecker.Kind.op);
    assertThat(ConfigChecker.detect(write("b.yaml", "listen: 127.0.0.1:8080\nupstream: http://127.0.0.1:9000\nprovider: {}\n")))
        .isEqualTo(ConfigChecker.Kind.gateway);
    assertThat(ConfigChecker.detect(write("c.yaml", "{{{ not yaml"))).isEqualTo(ConfigChecker.Kind.gateway);
    assertThat(ConfigChecker.detect(write("d.yaml", "- a list\n"))).isEqualTo(ConfigChecker.Kind.gateway);
  }

  @Test
  void validOpConfigPrintsOk() throws Exception {
    Path f = write("op.yaml", "issuer: http://127.0.0.1:9090\nport: 9090\nusers:\n  - username: alice\n");
    CliRun r = CliRun.execute("config", "check", f.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("OK: " + f + " is a valid OP config\n");
  }

  @Test
  void invalidOpConfigExits2WithFileKeyAndReason() throws Exception {
    Path f = write("op.yaml", "issuer: http://127.0.0.1:9090\ntokens:\n  access-ttl: 5 minutes\n");
    CliRun r = CliRun.execute("config", "check", "--op", f.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains(f.toString()).contains("access-ttl").doesNotContain("\tat ");
    assertThat(r.out()).doesNotContain("OK");
  }

  @Test
  void hostileFilesExit2() throws Exception {
    assertThat(CliRun.execute("config", "check", dir.resolve("missing.yaml").toString()).err()).contains("no such file");
    assertThat(CliRun.execute("config", "check", dir.toString()).err()).contains("not a regular file");
    Path bomb = write("bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nissuer: [*c, *c, *c]\n");
    CliRun r = CliRun.execute("config", "check", "--op", bomb.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    Path tabs = write("tabs.yaml", "issuer:\n\t- x\n");
    assertThat(CliRun.execute("config", "check", "--op", tabs.toString()).exitCode()).isEqualTo(2);
  }
}
