package dev.hourglass.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hourglass.core.clock.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads YAML config into Java records with errors people can act on: file, line, dotted key and
 * reason. Keys are kebab-case ({@code idle-timeout} binds to {@code idleTimeout}); unknown keys
 * are errors, durations use {@link Durations}, and {@code ${ENV}} references are substituted first.
 *
 * <p>Records validate themselves in their compact constructors by throwing
 * {@link IllegalArgumentException} with a message {@code "key: reason"}; that key is appended to
 * the path where the record sits.
 */
public final class YamlConfig {
  private static final long MAX_BYTES = 1 << 20;

  private final ObjectMapper mapper;
  private final EnvSubstitution env;

  public YamlConfig(EnvSubstitution env) {
    this.env = env;
    this.mapper = newMapper();
  }

  /** The mapper: YAML, kebab-case keys, strict about unknown keys and types. */
  public static ObjectMapper newMapper() {
    SimpleModule durations = new SimpleModule("hourglass-durations");
    durations.addDeserializer(Duration.class, new DurationDeserializer());
    return JsonMapper.builder(new YAMLFactory())
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .addModule(durations)
        .build();
  }

  /** Reads {@code file} as {@code type}. */
  public <T> T read(Path file, Class<T> type) {
    String name = file.toString();
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException(name, "", "file is larger than 1 MiB");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name, "", "file not found");
    } catch (IOException e) {
      throw new ConfigException(name, "", "cannot read: " + e.getMessage());
    }
    return read(name, text, type);
  }

  /** Reads YAML {@code text} (named {@code sourceName} in errors) as {@code type}. */
  public <T> T read(String sourceName, String text, Class<T> type) {
    String substituted = env.apply(sourceName, text);
    if (substituted.isBlank()) {
      substituted = "{}";
    }
    try {
      T value = mapper.readValue(substituted, type);
      if (value == null) {
        return mapper.readValue("{}", type);
      }
      return value;
    } catch (JsonMappingException e) {
      ConfigException c = translate(sourceName, e);
      // Records are built from buffered tokens, so Jackson's location can be past the key:
      // find the key's own line by walking the YAML again.
      int line = lineOf(substituted, e);
      throw line > 0 ? new ConfigException(c.file(), c.key(), line, c.reason()) : c;
    } catch (JsonProcessingException e) {
      throw new ConfigException(sourceName, "", line(e.getLocation()), "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException(sourceName, "", "cannot read: " + e.getMessage());
    }
  }

  /** Turns a Jackson error into one a person reads: key path, line and reason. */
  static ConfigException translate(String file, JsonMappingException e) {
    String path = keyPath(e);
    // The token's own line: the parser's current location may already be past it.
    int line = e.getProcessor() instanceof JsonParser p && p.currentTokenLocation() != null
        ? line(p.currentTokenLocation()) : line(e.getLocation());
    if (e instanceof UnrecognizedPropertyException u) {
      String known = known(u.getKnownPropertyIds());
      return new ConfigException(file, path, line, "unknown key" + (known.isEmpty() ? "" : "; expected one of: " + known));
    }
    if (e instanceof ValueInstantiationException || e.getCause() instanceof IllegalArgumentException) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String msg = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      int colon = msg.indexOf(": ");
      // A record says "key: reason"; attach its key to where the record sits.
      if (colon > 0 && msg.substring(0, colon).matches("[a-z0-9.\\[\\]-]+")) {
        String sub = msg.substring(0, colon);
        return new ConfigException(file, path.isEmpty() ? sub : path + "." + sub, line, msg.substring(colon + 2));
      }
      return new ConfigException(file, path, line, msg);
    }
    if (e instanceof InvalidFormatException f) {
      return new ConfigException(file, path, line,
          "'" + f.getValue() + "' is not a valid " + simpleType(f.getTargetType()));
    }
    if (e instanceof MismatchedInputException m) {
      Class<?> target = m.getTargetType();
      if (target != null) {
        return new ConfigException(file, path, line, "expected " + simpleType(target));
      }
    }
    return new ConfigException(file, path, line, e.getOriginalMessage());
  }

  private static String simpleType(Class<?> t) {
    if (t == null) return "value";
    if (t == Duration.class) return "duration (like 90s, 5m, 1h or PT1H)";
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "whole number";
    if (t == Boolean.class || t == boolean.class) return "true or false";
    if (t.isEnum()) {
      return "value; expected one of " + java.util.Arrays.stream(t.getEnumConstants())
          .map(Object::toString).collect(Collectors.joining(", "));
    }
    if (Collection.class.isAssignableFrom(t) || t.isArray()) return "list";
    if (Map.class.isAssignableFrom(t) || t.isRecord()) return "mapping (key: value)";
    if (t == String.class) return "string";
    return t.getSimpleName();
  }

  private static String known(Collection<Object> ids) {
    if (ids == null) return "";
    return ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
  }

  static String keyPath(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) b.append('.');
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /** The line where the path of {@code e} sits in {@code text}, or -1. */
  private int lineOf(String text, JsonMappingException e) {
    List<JsonMappingException.Reference> want = e.getPath();
    if (want.isEmpty()) return -1;
    try (JsonParser p = mapper.getFactory().createParser(text)) {
      // stack of (field name or index) for the current position
      java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case START_OBJECT, START_ARRAY -> {
            advanceIndex(stack);
            if (matches(stack, want)) return line(p.currentTokenLocation());
            stack.push(new Object[] {t == JsonToken.START_ARRAY ? -1 : null});
          }
          case END_OBJECT, END_ARRAY -> stack.pop();
          case FIELD_NAME -> {
            stack.peek()[0] = p.currentName();
            if (matches(stack, want)) return line(p.currentTokenLocation());
          }
          default -> {
            advanceIndex(stack);
            if (matches(stack, want)) return line(p.currentTokenLocation());
          }
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort: the message still names the key
    }
    return -1;
  }

  private static void advanceIndex(java.util.ArrayDeque<Object[]> stack) {
    if (!stack.isEmpty() && stack.peek()[0] instanceof Integer i) {
      stack.peek()[0] = i + 1;
    }
  }

  private static boolean matches(java.util.ArrayDeque<Object[]> stack, List<JsonMappingException.Reference> want) {
    if (stack.size() != want.size()) return false;
    java.util.Iterator<Object[]> it = stack.descendingIterator();
    for (JsonMappingException.Reference r : want) {
      Object have = it.next()[0];
      if (r.getFieldName() != null ? !r.getFieldName().equals(have) : !(have instanceof Integer i && i == r.getIndex())) {
        return false;
      }
    }
    return true;
  }

  private static int line(JsonLocation loc) {
    return loc == null ? -1 : loc.getLineNr();
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == 0) {
        return Duration.ZERO;
      }
      if (t != JsonToken.VALUE_STRING) {
        throw MismatchedInputException.from(p, Duration.class, "expected a duration");
      }
      try {
        return Durations.parse(p.getText());
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Duration.class);
      }
    }
  }
}
