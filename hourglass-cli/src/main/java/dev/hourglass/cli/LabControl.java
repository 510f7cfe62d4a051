package dev.hourglass.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The lab page's controls from the command line: {@code hourglass lab refresh alice},
 * {@code hourglass lab rotate-keys}, {@code hourglass lab fault op-down 10},
 * {@code hourglass lab op-settings --expired-hint reject}, {@code hourglass lab logout alice}.
 * Each one is a POST to the running lab's {@code /oauth2/lab/…} endpoint (the clock has its own
 * command: {@code hourglass clock advance 1h}). Each subcommand builds its {@link Request} without
 * I/O, so tests can assert on it.
 */
final class LabControl {
  static final String DEFAULT_LAB = "http://127.0.0.1:8080";

  private LabControl() {}

  /** What a control sends: a path under {@code /oauth2/lab/} and a JSON body. */
  record Request(String path, JsonObject body) {}

  /** Shared {@code --lab URL} option and the sending. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--lab", paramLabel = "URL", description = "The running lab's gateway URL (default: " + DEFAULT_LAB + ").")
    String lab = DEFAULT_LAB;

    abstract Request request();

    @Override
    public Integer call() {
      Request r = request();
      URI uri;
      try {
        uri = URI.create(lab.replaceAll("/+$", "") + "/oauth2/lab/" + r.path());
      } catch (IllegalArgumentException e) {
        throw CliException.usage("hourglass lab: --lab: not a URL: " + lab);
      }
      HttpResponse<String> resp;
      try {
        resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").header("X-Hourglass-Lab", "1")
            .POST(HttpRequest.BodyPublishers.ofString(r.body().encode())).build(), HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw CliException.failure("hourglass lab: no lab answers at " + lab + " (start one with ./hourglass lab)");
      } catch (IOException e) {
        throw CliException.failure("hourglass lab: " + lab + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CliException.failure("hourglass lab: interrupted");
      }
      JsonObject answer;
      try {
        answer = new JsonObject(resp.body());
      } catch (DecodeException | ClassCastException e) {
        throw CliException.failure("hourglass lab: " + lab + " answered HTTP " + resp.statusCode() + " without JSON: is it a lab?");
      }
      PrintWriter out = spec.commandLine().getOut();
      if (resp.statusCode() >= 400) {
        String why = answer.getString("error_description", answer.getString("error", "HTTP " + resp.statusCode()));
        throw resp.statusCode() == 400 ? CliException.usage("hourglass lab: " + why) : CliException.failure("hourglass lab: " + why);
      }
      out.println(answer.getString("message", "ok"));
      out.flush();
      return 0;
    }
  }

  @Command(name = "refresh", description = "Refresh a user's gateway session(s) now, whatever their expiry.")
  static final class Refresh extends Base {
    @Parameters(paramLabel = "USER", description = "The user's sub, e.g. alice.")
    String user;

    Request request() {
      return new Request("refresh", new JsonObject().put("sub", user));
    }
  }

  @Command(name = "rotate-keys", description = "Rotate the OP's signing key.")
  static final class RotateKeys extends Base {
    Request request() {
      return new Request("rotate-keys", new JsonObject());
    }
  }

  @Command(name = "fault", description = {"Inject an OP fault: next-refresh-fails, op-down MINUTES (token, userinfo and",
      "JWKS answer 503 for that much lab time), or clear."})
  static final class Fault extends Base {
    @Parameters(index = "0", paramLabel = "KIND", description = "next-refresh-fails | op-down | clear")
    String kind;

    @Parameters(index = "1", arity = "0..1", paramLabel = "MINUTES", description = "For op-down: minutes of lab time.")
    Integer minutes;

    Request request() {
      JsonObject body = new JsonObject().put("kind", kind);
      if (kind.equals("op-down")) {
        if (minutes == null) throw CliException.usage("hourglass lab fault op-down: give the minutes, e.g. op-down 10");
        body.put("minutes", minutes);
      } else if (minutes != null) {
        throw CliException.usage("hourglass lab fault " + kind + ": takes no MINUTES");
      }
      return new Request("fault", body);
    }
  }

  @Command(name = "op-settings", description = "Switch the OP's expired-hint policy and whether a refresh returns an ID token.")
  static final class OpSettings extends Base {
    @Option(names = "--expired-hint", paramLabel = "accept|reject", description = "What the OP does with an expired id_token_hint.")
    OpCommand.ExpiredHint expiredHint;

    @Option(names = "--refresh-returns-id-token", arity = "1", paramLabel = "true|false",
        description = "Whether a refresh response carries a new ID token.")
    Boolean refreshReturnsIdToken;

    Request request() {
      JsonObject body = new JsonObject();
      if (expiredHint != null) body.put("expired-hint", expiredHint.name());
      if (refreshReturnsIdToken != null) body.put("refresh-returns-id-token", refreshReturnsIdToken);
      if (body.isEmpty()) throw CliException.usage("hourglass lab op-settings: give --expired-hint and/or --refresh-returns-id-token");
      return new Request("op-settings", body);
    }
  }

  @Command(name = "logout", description = {"Log a user out at the OP, as another app would; the OP's back-channel",
      "logout then ends the user's gateway sessions."})
  static final class Logout extends Base {
    @Parameters(paramLabel = "USER", description = "The user's sub, e.g. alice.")
    String user;

    Request request() {
      return new Request("logout", new JsonObject().put("sub", user));
    }
  }
}
