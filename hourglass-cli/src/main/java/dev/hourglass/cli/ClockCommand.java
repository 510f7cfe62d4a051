package dev.hourglass.cli;

import dev.hourglass.core.clock.Durations;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hourglass clock show|advance|set}: drives the {@code /_hourglass/clock} admin API of a
 * running dev OP (or a gateway on {@code clock: virtual}). Each subcommand turns its arguments into
 * a {@link ClockRequest} (what tests assert on) and {@link ClockClient} sends it.
 */
@Command(name = "clock",
    description = "Show or move the virtual clock of a running OP or gateway.",
    synopsisSubcommandLabel = "(show | advance | set)",
    subcommands = {ClockCommand.Show.class, ClockCommand.Advance.class, ClockCommand.Set.class})
final class ClockCommand implements Runnable {
  static final String DEFAULT_URL = "http://127.0.0.1:9090";
  static final String ADMIN_TOKEN_ENV = "HOURGLASS_ADMIN_TOKEN";

  @ParentCommand Main main;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing a clock command: show, advance or set");
  }

  /** Where the clock lives: {@code --op URL} or {@code --gateway URL}, and the optional admin token. */
  static final class Target {
    static final class Server {
      @Option(names = "--op", paramLabel = "URL",
          description = "Base URL of a running 'hourglass op' (default: " + DEFAULT_URL + ").")
      String op;

      @Option(names = "--gateway", paramLabel = "URL",
          description = "Base URL of a running gateway on a virtual clock.")
      String gateway;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Server server;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
        description = "Bearer token for the admin API (default: $" + ADMIN_TOKEN_ENV + ").")
    String adminToken;

    /** The base URL without a trailing slash. */
    String baseUrl() {
      String url = server == null ? DEFAULT_URL : server.op != null ? server.op : server.gateway;
      while (url.endsWith("/")) {
        url = url.substring(0, url.length() - 1);
      }
      return url;
    }

    URI clockUri() {
      String base = baseUrl();
      URI uri;
      try {
        uri = URI.create(base + "/_hourglass/clock");
      } catch (IllegalArgumentException e) {
        throw CliException.usage("hourglass clock: '" + base + "' is not a URL");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw CliException.usage("hourglass clock: '" + base + "' is not an http(s) URL such as " + DEFAULT_URL);
      }
      return uri;
    }

    Optional<String> token(java.util.Map<String, String> env) {
      String t = adminToken != null ? adminToken : env.get(ADMIN_TOKEN_ENV);
      return Optional.ofNullable(t).filter(s -> !s.isBlank());
    }
  }

  /** One call to the clock API: GET, or POST with a JSON body. */
  record ClockRequest(URI uri, Optional<JsonObject> body, Optional<String> adminToken) {}

  abstract static class Base implements Callable<Integer> {
    @ParentCommand ClockCommand parent;
    @Spec CommandSpec spec;
    @Mixin Target target = new Target();

    abstract Optional<JsonObject> body();

    ClockRequest request() {
      java.util.Map<String, String> env = parent == null ? java.util.Map.of() : parent.main.env();
      return new ClockRequest(target.clockUri(), body(), target.token(env));
    }

    @Override
    public Integer call() {
      JsonObject clock = ClockClient.send(request());
      print(spec.commandLine().getOut(), clock);
      return 0;
    }
  }

  @Command(name = "show", description = "Print the clock's now and its offset from real time.")
  static final class Show extends Base {
    @Override
    Optional<JsonObject> body() {
      return Optional.empty();
    }
  }

  @Command(name = "advance", description = "Move the clock forward, e.g. 'hourglass clock advance 1h'.")
  static final class Advance extends Base {
    @Parameters(index = "0", paramLabel = "DURATION", converter = DurationConverter.class,
        description = "How far: 90s, 5m, 1h, 8h, 1h30m or PT1H.")
    Duration duration;

    @Override
    Optional<JsonObject> body() {
      return Optional.of(new JsonObject().put("advance", duration.toString()));
    }
  }

  @Command(name = "set", description = "Move the clock forward to an instant, e.g. 2030-01-01T00:00:00Z.")
  static final class Set extends Base {
    @Parameters(index = "0", paramLabel = "INSTANT", converter = InstantConverter.class,
        description = "An ISO-8601 instant (UTC), later than the clock's now.")
    Instant instant;

    @Override
    Optional<JsonObject> body() {
      return Optional.of(new JsonObject().put("set", instant.toString()));
    }
  }

  static final class InstantConverter implements picocli.CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value.trim());
      } catch (DateTimeParseException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not an ISO-8601 instant such as 2030-01-01T00:00:00Z");
      }
    }
  }

  static void print(PrintWriter out, JsonObject clock) {
    out.println("now:    " + clock.getString("now"));
    String offset = clock.getString("offset", "PT0S");
    String human;
    try {
      human = Durations.format(Duration.parse(offset));
    } catch (DateTimeParseException e) {
      human = offset;
    }
    out.println("offset: " + human + " (" + offset + ")"
        + (Boolean.FALSE.equals(clock.getBoolean("controllable")) ? "  [system clock: cannot be moved]" : ""));
    out.flush();
  }

  /** Sends a {@link ClockRequest} with {@link HttpClient}; every failure becomes a one-line {@link CliException}. */
  static final class ClockClient {
    private ClockClient() {}

    static JsonObject send(ClockRequest req) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest.Builder b = HttpRequest.newBuilder(req.uri()).timeout(Duration.ofSeconds(10))
          .header("Accept", "application/json");
      req.adminToken().ifPresent(t -> b.header("Authorization", "Bearer " + t));
      req.body().ifPresentOrElse(
          json -> b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json.encode())),
          b::GET);
      HttpResponse<String> resp;
      try {
        resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw CliException.failure("hourglass clock: cannot reach " + req.uri()
            + " (connection refused). Is 'hourglass op' running there? Point at it with --op URL.");
      } catch (HttpConnectTimeoutException e) {
        throw CliException.failure("hourglass clock: timed out connecting to " + req.uri());
      } catch (HttpTimeoutException e) {
        throw CliException.failure("hourglass clock: no answer from " + req.uri() + " within 10s");
      } catch (IOException e) {
        throw CliException.failure("hourglass clock: " + req.uri() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CliException.failure("hourglass clock: interrupted");
      }
      JsonObject json = null;
      try {
        json = new JsonObject(resp.body());
      } catch (DecodeException | ClassCastException e) {
        // not JSON: reported below with the status
      }
      int status = resp.statusCode();
      if (status == 200 && json != null && json.getValue("now") instanceof String) {
        return json;
      }
      String detail = json != null && json.getString("error_description") != null
          ? json.getString("error_description")
          : status == 404 ? "no clock API here (is this an Hourglass OP or gateway?)"
          : "unexpected answer";
      String msg = "hourglass clock: " + req.uri() + " answered HTTP " + status + ": " + detail;
      // 400: the server refused what we asked (e.g. moving backwards) — bad input, exit 2.
      throw new CliException(status == 400 ? Main.EXIT_USAGE : Main.EXIT_FAILURE, msg);
    }
  }
}
