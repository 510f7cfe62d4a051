package dev.hourglass.gateway.logout;

import dev.hourglass.gateway.http.Pages;
import io.vertx.core.json.JsonObject;

/** The {@code logout} object of {@code /oauth2/session?format=html} as a traffic light. */
public final class LogoutPlanHtml {
  private LogoutPlanHtml() {}

  public static String render(JsonObject plan) {
    if (plan == null) {
      return "";
    }
    String light = plan.getString("light", LogoutPlan.RED);
    String color = switch (light) {
      case LogoutPlan.GREEN -> "#2e7d32";
      case LogoutPlan.AMBER -> "#f9a825";
      default -> "#c62828";
    };
    StringBuilder b = new StringBuilder("<h2>Logout</h2><div id=\"logout\" class=\"light-").append(Pages.escape(light)).append("\">");
    b.append("<p><span id=\"logout-light\" title=\"").append(Pages.escape(light))
        .append("\" style=\"display:inline-block;width:1em;height:1em;border-radius:50%;vertical-align:middle;background:")
        .append(color).append("\"></span> <strong>").append(Pages.escape(light)).append("</strong>: ")
        .append(Pages.escape(plan.getString("summary"))).append("</p>");
    b.append("<p id=\"logout-reason\">").append(Pages.escape(plan.getString("reason"))).append("</p>");
    b.append("<p>Would send: <code>").append(Pages.escape(plan.getString("would_send")))
        .append("</code>; expired-hint policy: <code>").append(Pages.escape(plan.getString("expired_hint_policy")))
        .append("</code></p></div>");
    return b.toString();
  }
}
