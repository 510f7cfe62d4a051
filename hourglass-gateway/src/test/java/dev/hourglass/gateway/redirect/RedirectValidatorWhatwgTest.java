package dev.hourglass.gateway.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks every accepted target with a real WHATWG URL parser (Node's {@code URL}, the same
 * algorithm browsers implement) when Node is installed. The always-on oracle lives in
 * {@link RedirectValidatorTest}; this one removes any doubt that the hand-written browser reading
 * is too kind.
 */
class RedirectValidatorWhatwgTest {
  @TempDir Path tmp;

  @Test
  void everyAcceptedTargetStaysOnOriginForAWhatwgParser() throws Exception {
    Path node = findNode();
    assumeTrue(node != null, "node not installed: WHATWG cross-check skipped (the Java oracle still ran)");
    RedirectValidator v = new RedirectValidator(List.of("https://www.whitelisteddomain.tld"));
    Set<String> accepted = new LinkedHashSet<>();
    int tried = 0;
    for (String line : RedirectValidatorTest.corpus()) {
      for (String t : List.of(line, line.replace("%", "%25"))) {
        tried++;
        v.safeTarget(t).ifPresent(accepted::add);
      }
    }
    Random random = new Random(11);
    String[] pieces = {"/", "//", "\\", "%2f", "%5c", "%09", "%2e", ".", "..", "@", "evil.com", ":", "https:", "?", "#",
        "\u3002", "\uFF0F", "%E3%80%82", "a", "é", " ", "[", "]", "%25"};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder sb = new StringBuilder(random.nextInt(4) == 0 ? "" : "/");
      int n = random.nextInt(10);
      for (int j = 0; j < n; j++) {
        sb.append(pieces[random.nextInt(pieces.length)]);
      }
      tried++;
      v.safeTarget(sb.toString()).ifPresent(accepted::add);
    }
    assertThat(accepted).hasSizeGreaterThan(100);
    Path input = tmp.resolve("targets.txt");
    Files.write(input, accepted, StandardCharsets.UTF_8);
    String script = String.join("\n",
        "const fs = require('fs');",
        "const lines = fs.readFileSync(process.argv[2], 'utf8').split('\\n').filter(l => l.length > 0);",
        "let bad = 0;",
        "for (const l of lines) {",
        "  let u;",
        "  try { u = new URL(l, 'http://127.0.0.1:8080/'); } catch (e) { console.log('UNPARSABLE ' + JSON.stringify(l)); bad++; continue; }",
        "  if (u.origin !== 'http://127.0.0.1:8080' && u.origin !== 'https://www.whitelisteddomain.tld') { console.log('OFF ' + JSON.stringify(l) + ' -> ' + u.href); bad++; }",
        "}",
        "console.log('checked ' + lines.length + ' bad ' + bad);");
    Path js = tmp.resolve("check.js");
    Files.writeString(js, script);
    Process p = new ProcessBuilder(node.toString(), js.toString(), input.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("node output (tried %d inputs)", tried).contains("checked " + accepted.size() + " bad 0");
  }

  private static Path findNode() {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    for (String d : dirs) {
      for (String name : List.of("node", "nodejs")) {
        Path p = Path.of(d.isEmpty() ? "." : d, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }
}
