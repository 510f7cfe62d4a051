package dev.hourglass.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void markupAndQuotesBecomeEntitiesAndControlCharactersSpaces() {
    assertThat(Html.escape("<script>alert('x')</script> & \"q\"\u0000\u001b\n"))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;  \n");
    assertThat(Html.escape(null)).isEmpty();
    assertThat(Html.escape(42)).isEqualTo("42");
  }
}
