package dev.hourglass.core.http;

/** Escaping for text put into HTML (and XML) pages: the one place every page's dynamic text goes through. */
public final class Html {
  private Html() {}

  /**
   * {@code value} as text safe inside an element or a quoted attribute: {@code < > & " '} become
   * entities, and control characters other than tab, CR and LF become spaces (XML 1.0 forbids them).
   * Null is the empty string.
   */
  public static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String s = String.valueOf(value);
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c < 0x20 && c != '\n' && c != '\r' && c != '\t' ? ' ' : c);
      }
    }
    return b.toString();
  }
}
