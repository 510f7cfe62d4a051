package dev.hourglass.lab;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;

/**
 * Calls the dev OP's {@code /_hourglass/} admin API. The lab goes through the same API a person or
 * another tool would use, so the OP validates faults and settings in one place.
 */
final class OpAdminClient {
  private final WebClient client;
  private final URI issuer;

  OpAdminClient(Vertx vertx, URI issuer) {
    this.client = WebClient.create(vertx);
    this.issuer = issuer;
  }

  /** Sends the call; a 4xx/5xx fails the future with the OP's {@code error_description}. */
  Future<JsonObject> call(String method, String path, JsonObject body) {
    // The admin API sits at the root of the OP's port, whatever the issuer's path.
    HttpRequest<Buffer> req = client.request(HttpMethod.valueOf(method), issuer.getPort() > 0 ? issuer.getPort() : 80,
        issuer.getHost(), path);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendJsonObject(body);
    return sent.compose(r -> {
      JsonObject json;
      try {
        json = r.body() == null || r.body().length() == 0 ? new JsonObject() : r.bodyAsJsonObject();
      } catch (DecodeException | ClassCastException e) {
        json = new JsonObject();
      }
      if (r.statusCode() >= 400) {
        String why = json.getString("error_description", json.getString("error", "HTTP " + r.statusCode()));
        return Future.failedFuture(new IllegalArgumentException(why));
      }
      return Future.succeededFuture(json);
    });
  }

  void close() {
    client.close();
  }
}
