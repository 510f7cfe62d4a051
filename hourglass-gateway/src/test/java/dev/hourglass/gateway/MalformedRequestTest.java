package dev.hourglass.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Raw, malformed HTTP requests: always a 4xx (or a login redirect), never a 500 or a hang. */
class MalformedRequestTest {
  private static GatewayHarness h;

  @BeforeAll
  static void start() {
    h = new GatewayHarness().start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static int status(String rawRequest) throws Exception {
    try (Socket s = new Socket("127.0.0.1", h.gatewayPort)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      String line = new String(head, StandardCharsets.ISO_8859_1);
      assertThat(line).as(rawRequest).startsWith("HTTP/1.");
      return Integer.parseInt(line.substring(9, 12));
    }
  }

  @Test
  void oddRequestsGetAClientError() throws Exception {
    List<String> requests = List.of(
        "GET /%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /oauth2/start?rd=%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /oauth2/callback?state=%ZZ&code=%%% HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /oauth2/callback?state=a&state=b HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n",
        "GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nAccept: application/json\r\n\r\n",
        "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n",
        "BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nCookie: _hourglass_session=\u00ff\u00fe\r\nAccept: application/json\r\n\r\n",
        "GET /oauth2/session HTTP/1.1\r\nHost: x\r\nCookie: " + "c=1; ".repeat(2000) + "\r\n\r\n",
        "GARBAGE\r\n\r\n");
    for (String r : requests) {
      int status = status(r);
      assertThat(status).as(r.length() > 120 ? r.substring(0, 120) : r).isBetween(300, 499);
    }
    assertThat(h.gateway.events().snapshot()).noneMatch(e -> e.type().equals("INTERNAL_ERROR"));
  }
}
