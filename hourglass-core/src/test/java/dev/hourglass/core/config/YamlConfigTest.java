package dev.hourglass.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigTest {
  record Session(Duration idleTimeout, String secret) {
    Session {
      if (secret != null && secret.length() < 4) {
        throw new IllegalArgumentException("secret: must be at least 4 characters");
      }
    }
  }

  record Sample(String listen, int port, Session session, List<String> scopes) {}

  private final YamlConfig yaml = new YamlConfig(EnvSubstitution.of(Map.of("SECRET", "s3cr3t!")));

  @Test
  void bindsKebabCaseKeysDurationsAndEnvironment() {
    Sample s = yaml.read("t.yaml", """
        listen: 127.0.0.1:8080
        port: 9090
        session:
          idle-timeout: 30m
          secret: ${SECRET}
        scopes: [openid, email]
        """, Sample.class);
    assertThat(s.session().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.session().secret()).isEqualTo("s3cr3t!");
    assertThat(s.scopes()).containsExactly("openid", "email");
  }

  @Test
  void unknownKeyNamesFileLineKeyAndTheKnownKeys() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "port: 1\nsession:\n  idle-timout: 5m\n", Sample.class))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.file()).isEqualTo("gw.yaml");
          assertThat(e.key()).isEqualTo("session.idle-timout");
          assertThat(e.line()).isEqualTo(3);
          assertThat(e.reason()).contains("unknown key").contains("idle-timeout");
        });
  }

  @Test
  void badDurationNamesTheKey() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "session:\n  idle-timeout: soon\n", Sample.class))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("session.idle-timeout");
          assertThat(e.getMessage()).startsWith("gw.yaml:2: session.idle-timeout: ").contains("duration");
        });
  }

  @Test
  void wrongTypeNamesTheKey() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "port: lots\n", Sample.class))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("port");
          assertThat(e.reason()).contains("whole number");
        });
  }

  @Test
  void recordValidationMessageIsAttachedUnderItsPath() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "session:\n  secret: abc\n", Sample.class))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("session.secret");
          assertThat(e.reason()).isEqualTo("must be at least 4 characters");
        });
  }

  @Test
  void missingEnvironmentVariableNamesItAndTheLine() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "port: 1\nlisten: ${NOPE}\n", Sample.class))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.line()).isEqualTo(2);
          assertThat(e.reason()).contains("${NOPE}");
        });
  }

  @Test
  void envDefaultsAndEscapes() {
    Sample s = yaml.read("t.yaml", "listen: ${NOPE:-0.0.0.0:1}\nscopes: [\"$${LITERAL}\"]\n", Sample.class);
    assertThat(s.listen()).isEqualTo("0.0.0.0:1");
    assertThat(s.scopes()).containsExactly("${LITERAL}");
  }

  @Test
  void brokenYamlIsReportedNotThrownRaw() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "port: [1,\n", Sample.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("gw.yaml");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> yaml.read("gw.yaml", "port: 1\nport: 2\n", Sample.class))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("port");
  }

  @Test
  void emptyFileGivesDefaults() {
    assertThat(yaml.read("e.yaml", "", Sample.class).listen()).isNull();
  }

  @Test
  void missingFileIsAConfigError(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> yaml.read(dir.resolve("nope.yaml"), Sample.class))
        .isInstanceOf(ConfigException.class).hasMessageContaining("file not found");
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, "# " + "x".repeat(1 << 20));
    assertThatThrownBy(() -> yaml.read(big, Sample.class)).hasMessageContaining("larger than 1 MiB");
  }
}
