package dev.hourglass.gateway.logout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestOriginTest {
  private final RequestOrigin https = new RequestOrigin("https://app.example.com");
  private final RequestOrigin loopback = new RequestOrigin("http://127.0.0.1:8080");

  @Test
  void sameOriginNeedsSchemeHostAndPortExactlyWithDefaultPortsFolded() {
    assertThat(https.sameOrigin("https://app.example.com")).isTrue();
    assertThat(https.sameOrigin("https://APP.example.com:443/some/page?x=1")).isTrue();
    assertThat(https.sameOrigin("http://app.example.com")).isFalse();
    assertThat(https.sameOrigin("https://app.example.com:8443")).isFalse();
    assertThat(https.sameOrigin("https://app.example.com.evil.example")).isFalse();
    assertThat(https.sameOrigin("https://evil.example/app.example.com")).isFalse();
    assertThat(loopback.sameOrigin("http://127.0.0.1:8080/x")).isTrue();
    assertThat(loopback.sameOrigin("http://127.0.0.1/")).isFalse();
    assertThat(loopback.sameOrigin("http://localhost:8080/")).isFalse();
  }

  @Test
  void junkNullAndUserinfoTricksAreNotSameOrigin() {
    assertThat(https.sameOrigin("null")).isFalse();
    assertThat(https.sameOrigin("")).isFalse();
    assertThat(https.sameOrigin(null)).isFalse();
    assertThat(https.sameOrigin("https://app.example.com@evil.example/")).isFalse();
    assertThat(https.sameOrigin("https://user@app.example.com/")).isFalse();
    assertThat(https.sameOrigin("//app.example.com/")).isFalse();
    assertThat(https.sameOrigin("https://app.example.com\\@evil.example")).isFalse();
    assertThat(https.sameOrigin("https://" + "a".repeat(5000))).isFalse();
  }
}
