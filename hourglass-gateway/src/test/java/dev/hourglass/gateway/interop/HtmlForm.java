package dev.hourglass.gateway.interop;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A form on a real OP's HTML page, read the way a browser would submit it: its (HTML-unescaped)
 * action resolved against the page, and the names and default values of its inputs. Enough for the
 * login and logout pages of oidc-provider and Keycloak; not a general HTML parser.
 */
record HtmlForm(String id, URI action, Map<String, String> fields) {
  private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
  private static final Pattern ATTR = Pattern.compile("([a-zA-Z_:-]+)\\s*(?:=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+)))?");

  /** Every form on the page, in document order. */
  static List<HtmlForm> all(URI page, String html) {
    List<HtmlForm> forms = new ArrayList<>();
    Matcher f = FORM.matcher(html);
    while (f.find()) {
      Map<String, String> formAttrs = attributes(f.group(1));
      String action = formAttrs.getOrDefault("action", "");
      Map<String, String> fields = new LinkedHashMap<>();
      Matcher in = INPUT.matcher(f.group(2));
      while (in.find()) {
        Map<String, String> a = attributes(in.group(1));
        String type = a.getOrDefault("type", "text").toLowerCase(Locale.ROOT);
        if (a.containsKey("name") && !type.equals("submit") && !type.equals("button") && !type.equals("checkbox")) {
          fields.put(a.get("name"), a.getOrDefault("value", ""));
        }
      }
      forms.add(new HtmlForm(formAttrs.getOrDefault("id", ""), page.resolve(action.isEmpty() ? page.toString() : action), fields));
    }
    return forms;
  }

  /** The first form with this input name, if the page has one. */
  static Optional<HtmlForm> withField(URI page, String html, String fieldName) {
    return all(page, html).stream().filter(form -> form.fields.containsKey(fieldName)).findFirst();
  }

  /** This form with {@code name} set to {@code value} (added when absent). */
  HtmlForm with(String name, String value) {
    Map<String, String> copy = new LinkedHashMap<>(fields);
    copy.put(name, value);
    return new HtmlForm(id, action, copy);
  }

  /** application/x-www-form-urlencoded body. */
  String encoded() {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> {
      if (b.length() > 0) b.append('&');
      b.append(HeadlessBrowser.enc(k)).append('=').append(HeadlessBrowser.enc(v));
    });
    return b.toString();
  }

  private static Map<String, String> attributes(String tagBody) {
    Map<String, String> attrs = new LinkedHashMap<>();
    Matcher m = ATTR.matcher(tagBody);
    while (m.find()) {
      String v = m.group(2) != null ? m.group(2) : m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : "";
      attrs.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), unescape(v));
    }
    return attrs;
  }

  /** The HTML character references a form action or value realistically carries. */
  static String unescape(String s) {
    if (s.indexOf('&') < 0) return s;
    StringBuilder out = new StringBuilder();
    Matcher m = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|quot|apos|lt|gt);").matcher(s);
    int last = 0;
    while (m.find()) {
      out.append(s, last, m.start());
      String ref = m.group(1);
      out.append(switch (ref) {
        case "amp" -> "&";
        case "quot" -> "\"";
        case "apos" -> "'";
        case "lt" -> "<";
        case "gt" -> ">";
        default -> new String(Character.toChars(ref.startsWith("#x")
            ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1))));
      });
      last = m.end();
    }
    return out.append(s.substring(last)).toString();
  }
}
