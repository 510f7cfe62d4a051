package dev.hourglass.gateway.logout;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a small {@code application/x-www-form-urlencoded} body with a hard size limit, so that a
 * hostile POST gets a clear 400 instead of filling memory. A body over {@code maxBytes} is read on
 * and discarded up to {@link #DISCARD_LIMIT} (so the client still gets its answer on a clean
 * connection); beyond that the connection is closed.
 */
final class FormBody {
  static final int DISCARD_LIMIT = 1024 * 1024;
  static final int MAX_PARAMS = 32;

  /** Why a body was refused: {@code content_type}, {@code too_large} or {@code malformed}. */
  static final class Refused extends RuntimeException {
    final String reason;

    Refused(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  private FormBody() {}

  /** Must be called before the request's body starts to arrive (first handler of the route). */
  static Future<Map<String, List<String>>> read(HttpServerRequest req, int maxBytes) {
    Promise<Map<String, List<String>>> result = Promise.promise();
    String type = req.getHeader("Content-Type");
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/x-www-form-urlencoded")) {
      drain(req, result, new Refused("content_type", "expected Content-Type application/x-www-form-urlencoded"));
      return result.future();
    }
    String declared = req.getHeader("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        result.fail(new Refused("malformed", "Content-Length is not a number"));
        return result.future();
      }
      if (n > DISCARD_LIMIT) {
        req.response().putHeader("Connection", "close");
        result.fail(new Refused("too_large", "the body is larger than " + maxBytes + " bytes"));
        return result.future();
      }
    }
    // curl and others wait for "100 Continue" before sending a body over 1 KiB.
    String expect = req.getHeader("Expect");
    if (expect != null && expect.equalsIgnoreCase("100-continue")) {
      req.response().writeContinue();
    }
    StringBuilder acc = new StringBuilder();
    long[] seen = {0};
    req.handler(chunk -> {
      seen[0] += chunk.length();
      if (seen[0] > DISCARD_LIMIT) {
        req.response().putHeader("Connection", "close");
        result.tryFail(new Refused("too_large", "the body is larger than " + maxBytes + " bytes"));
        req.pause();
        return;
      }
      if (seen[0] <= maxBytes) {
        acc.append(chunk.toString(StandardCharsets.ISO_8859_1));
      }
    });
    req.exceptionHandler(e -> result.tryFail(new Refused("malformed", "the request body could not be read")));
    req.endHandler(v -> {
      if (seen[0] > maxBytes) {
        result.tryFail(new Refused("too_large", "the body is larger than " + maxBytes + " bytes"));
        return;
      }
      try {
        result.tryComplete(parse(acc.toString()));
      } catch (IllegalArgumentException e) {
        result.tryFail(new Refused("malformed", "the form body is not valid application/x-www-form-urlencoded"));
      }
    });
    req.resume();
    return result.future();
  }

  private static void drain(HttpServerRequest req, Promise<Map<String, List<String>>> result, Refused why) {
    if (req.isEnded()) {
      result.fail(why);
      return;
    }
    long[] seen = {0};
    req.handler(chunk -> {
      seen[0] += chunk.length();
      if (seen[0] > DISCARD_LIMIT) {
        req.response().putHeader("Connection", "close");
        result.tryFail(why);
      }
    });
    req.endHandler(v -> result.tryFail(why));
    req.exceptionHandler(e -> result.tryFail(why));
    req.resume();
  }

  /** Form fields (the body is ASCII on the wire; percent-escapes decode as UTF-8). */
  static Map<String, List<String>> parse(String body) {
    if (body.isEmpty()) {
      return Map.of();
    }
    for (int i = 0; i < body.length(); i++) {
      if (body.charAt(i) > 0x7e) {
        throw new IllegalArgumentException("non-ASCII byte in a form body");
      }
    }
    // Names are case-sensitive; ';' is an ordinary character (only '&' separates fields).
    return new QueryStringDecoder(body, StandardCharsets.UTF_8, false, MAX_PARAMS, true).parameters();
  }
}
