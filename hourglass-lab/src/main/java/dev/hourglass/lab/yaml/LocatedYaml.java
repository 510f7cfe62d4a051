package dev.hourglass.lab.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.core.config.ConfigException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses YAML (one or more {@code ---} documents) into {@link YNode}s that keep line numbers. */
public final class LocatedYaml {
  private static final YAMLFactory FACTORY = YAMLFactory.builder().build();
  private static final int MAX_DEPTH = 64;

  private LocatedYaml() {}

  /**
   * @throws ConfigException with file and line for YAML syntax errors and duplicate keys
   */
  public static List<YNode> parseAll(String file, String text) {
    List<YNode> docs = new ArrayList<>();
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        docs.add(read(file, p, t, 0));
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new ConfigException(file, "", line, "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(file, "", "cannot read: " + e.getMessage());
    }
    return docs;
  }

  private static YNode read(String file, JsonParser p, JsonToken t, int depth) throws IOException {
    int line = p.currentTokenLocation().getLineNr();
    if (depth > MAX_DEPTH) {
      throw new ConfigException(file, "", line, "nested deeper than " + MAX_DEPTH + " levels");
    }
    switch (t) {
      case START_OBJECT -> {
        Map<String, YNode> entries = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new HashMap<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_OBJECT) {
          String key = p.currentName();
          int keyLine = p.currentTokenLocation().getLineNr();
          if (entries.containsKey(key)) {
            throw new ConfigException(file, key, keyLine, "duplicate key");
          }
          JsonToken v = p.nextToken();
          entries.put(key, read(file, p, v, depth + 1));
          keyLines.put(key, keyLine);
        }
        return new YNode.Map_(entries, keyLines, line);
      }
      case START_ARRAY -> {
        List<YNode> items = new ArrayList<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          items.add(read(file, p, n, depth + 1));
        }
        return new YNode.Seq(items, line);
      }
      case VALUE_STRING -> {
        return new YNode.Scalar(p.getText(), line);
      }
      case VALUE_NUMBER_INT -> {
        return new YNode.Scalar(p.getNumberValue(), line);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new YNode.Scalar(p.getDoubleValue(), line);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YNode.Scalar(p.getBooleanValue(), line);
      }
      case VALUE_NULL -> {
        return new YNode.Scalar(null, line);
      }
      default -> throw new ConfigException(file, "", line, "unexpected YAML token " + t);
    }
  }
}
