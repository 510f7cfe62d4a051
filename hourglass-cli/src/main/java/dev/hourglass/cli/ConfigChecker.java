package dev.hourglass.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Loads a gateway or OP config file the way the servers do, so every problem surfaces as a {@link ConfigException}. */
final class ConfigChecker {
  private ConfigChecker() {}

  // Keys only one of the two files has (issue 2 op.yaml, issue 3 gateway.yaml).
  private static final Set<String> GATEWAY_KEYS = Set.of("listen", "public-url", "upstream", "provider", "session", "cookie", "headers", "authorization", "logout");
  private static final Set<String> OP_KEYS = Set.of("issuer", "port", "clients", "users", "tokens", "signing-alg", "auto-login");

  /** Checks {@code file}; returns a one-line summary such as {@code "op.yaml is a valid OP config"}. */
  static String check(Path file, Optional<ConfigChecker.Kind> forced, Map<String, String> env) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(), "", Files.exists(file) ? "not a regular file" : "no such file");
    }
    ConfigChecker.Kind kind = forced.orElseGet(() -> detect(file));
    switch (kind) {
      case op -> ConfigLoaders.loadOp(file, env);
      case gateway -> ConfigLoaders.loadGateway(file, env);
    }
    return file + " is a valid " + (kind == ConfigChecker.Kind.op ? "OP" : "gateway") + " config";
  }

  enum Kind { gateway, op }

  /**
   * Gateway or OP, from the file's top-level keys; a gateway when unsure (the common case), so its
   * loader reports what is wrong. Unreadable YAML is left to the loader, which reports the line.
   */
  static ConfigChecker.Kind detect(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      return ConfigChecker.Kind.gateway;
    }
    if (root == null || !root.isObject()) {
      return ConfigChecker.Kind.gateway;
    }
    int gateway = 0;
    int op = 0;
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (GATEWAY_KEYS.contains(key)) gateway++;
      if (OP_KEYS.contains(key)) op++;
    }
    return op > gateway ? ConfigChecker.Kind.op : ConfigChecker.Kind.gateway;
  }
}
