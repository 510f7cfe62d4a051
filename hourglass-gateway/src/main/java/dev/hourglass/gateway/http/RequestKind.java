package dev.hourglass.gateway.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/**
 * Browser navigation or API call? Browsers get redirects to the login page; API clients (XHR,
 * fetch, JSON clients) get 401 JSON with {@code WWW-Authenticate}, because a redirect to an HTML
 * login page is useless to them.
 */
public final class RequestKind {
  private RequestKind() {}

  public static boolean isApi(HttpServerRequest req, boolean ruleSaysApi) {
    if (ruleSaysApi) return true;
    // A websocket upgrade cannot follow a login redirect.
    String upgrade = req.getHeader("Upgrade");
    if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) return true;
    String mode = req.getHeader("Sec-Fetch-Mode");
    if (mode != null && mode.equalsIgnoreCase("navigate")) return false;
    if (req.getHeader("X-Requested-With") != null) return true;
    String accept = req.getHeader("Accept");
    String a = accept == null ? "" : accept.toLowerCase(Locale.ROOT);
    boolean html = a.contains("text/html");
    if (a.contains("json") && !html) return true;
    if (mode != null && !mode.equalsIgnoreCase("nested-navigate")) return true; // cors, same-origin, no-cors
    return !(req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD) && !html;
  }
}
