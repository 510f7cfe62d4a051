package dev.hourglass.lab.scenario;

import dev.hourglass.core.event.Event;
import dev.hourglass.core.event.EventLog;
import dev.hourglass.lab.browser.VirtualBrowser;
import dev.hourglass.lab.browser.VirtualBrowser.Page;
import dev.hourglass.lab.scenario.ScenarioResult.StepResult;
import dev.hourglass.lab.scenario.ScenarioResult.TimelineEntry;
import dev.hourglass.lab.scenario.ScenarioResult.Verdict;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Runs one scenario on a fresh lab: each step, then its expectations; records a timeline of what
 * the scenario, the OP and the gateway did, in clock order.
 *
 * <p>Runs on a caller thread (never an event loop): it waits for each HTTP exchange in turn.
 */
public final class ScenarioRunner {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

  /** Starts a fresh lab for a scenario. */
  @FunctionalInterface
  public interface LabFactory {
    LabHandle start(Scenario scenario) throws Exception;
  }

  private final LabFactory labs;

  public ScenarioRunner(LabFactory labs) {
    this.labs = Objects.requireNonNull(labs, "labs");
  }

  public ScenarioResult run(Scenario scenario) {
    long startNanos = System.nanoTime();
    LabHandle lab;
    try {
      lab = labs.start(scenario);
    } catch (Exception e) {
      return new ScenarioResult(scenario, List.of(), List.of(), elapsed(startNanos), message(e));
    }
    EventLog actions = new EventLog("scenario", lab.clock());
    Instant origin = lab.clock().instant();
    VirtualBrowser browser = new VirtualBrowser(lab.vertx());
    List<StepResult> results = new ArrayList<>();
    try {
      Run run = new Run(lab, browser, actions);
      for (Step step : scenario.steps()) {
        results.add(run.execute(step));
      }
    } finally {
      browser.close();
      try {
        await(lab.close());
      } catch (Exception ignored) {
        // the lab is gone either way
      }
    }
    return new ScenarioResult(scenario, results, timeline(origin, lab, actions), elapsed(startNanos), null);
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  private static List<TimelineEntry> timeline(Instant origin, LabHandle lab, EventLog actions) {
    List<Event> all = new ArrayList<>();
    all.addAll(actions.snapshot());
    all.addAll(lab.opEvents().snapshot());
    all.addAll(lab.gatewayEvents().snapshot());
    all.sort(Comparator.comparing(Event::time).thenComparingLong(Event::seq));
    return all.stream().map(e -> new TimelineEntry(Duration.between(origin, e.time()), e.seq(), e.actor(), e.type(),
        e.fields().entrySet().stream().map(f -> f.getKey() + "=" + f.getValue()).collect(Collectors.joining(" "))))
        .toList();
  }

  /** The state of one run: the lab, the browser, and what the last step saw. */
  private static final class Run {
    private final LabHandle lab;
    private final VirtualBrowser browser;
    private final EventLog actions;
    private List<Page> lastPages = List.of();
    private JsonObject lastJson;

    Run(LabHandle lab, VirtualBrowser browser, EventLog actions) {
      this.lab = lab;
      this.browser = browser;
      this.actions = actions;
    }

    StepResult execute(Step step) {
      long opMark = lastSeq(lab.opEvents());
      long gwMark = lastSeq(lab.gatewayEvents());
      actions.record(step.describe(), "line", step.line());
      try {
        perform(step);
      } catch (Exception e) {
        actions.record("step_failed", "line", step.line(), "error", message(e));
        return new StepResult(step.line(), step.describe(), List.of(), message(e));
      }
      List<Verdict> verdicts = step.expect().map(x -> check(x, opMark, gwMark)).orElse(List.of());
      for (Verdict v : verdicts) {
        if (!v.passed()) {
          actions.record("expectation_failed", "line", v.line(), "expected", v.expectation(), "actual", v.actual());
        }
      }
      return new StepResult(step.line(), step.describe(), verdicts, null);
    }

    private void perform(Step step) throws Exception {
      URI gw = lab.gatewayUrl();
      if (step instanceof Step.Login l) {
        browser.clearCookies();
        String q = "login_hint=" + enc(l.user()) + (l.rd() == null ? "" : "&rd=" + enc(l.rd()));
        Page page = await(browser.navigate(gw.resolve("/oauth2/start?" + q), Map.of("Accept", "text/html")));
        if (page.status() == 200 && VirtualBrowser.hasForm(page, null) && page.uri().getPort() == lab.opUrl().getPort()) {
          // The OP asks who you are (auto-login off): answer like a person would.
          page = await(browser.submitForm(page, null, Map.of("username", l.user(), "login", l.user())));
        }
        remember(List.of(page));
        if (sessionCookie() == null) {
          throw new IllegalStateException("login as " + l.user() + " did not create a gateway session (ended at "
              + page.uri() + " with HTTP " + page.status() + ")");
        }
      } else if (step instanceof Step.Advance a) {
        lab.clock().advance(a.amount());
      } else if (step instanceof Step.Request r) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", r.api() ? "application/json" : "text/html");
        if (r.api()) headers.put("X-Requested-With", "XMLHttpRequest");
        headers.putAll(r.headers());
        List<Future<Page>> all = new ArrayList<>();
        for (int i = 0; i < r.concurrency(); i++) {
          all.add(browser.fetch(r.method(), gw.resolve(r.path()), headers, null));
        }
        List<Page> pages = new ArrayList<>();
        for (Future<Page> f : all) pages.add(await(f));
        remember(pages);
      } else if (step instanceof Step.SessionRead) {
        remember(List.of(await(browser.fetch("GET", gw.resolve("/oauth2/session"), Map.of("Accept", "application/json"), null))));
      } else if (step instanceof Step.Refresh) {
        String cookie = sessionCookie();
        if (cookie == null) throw new IllegalStateException("refresh: the browser has no gateway session");
        await(lab.refreshNow(cookie));
      } else if (step instanceof Step.Logout l) {
        logout(l.confirm());
      } else if (step instanceof Step.OpLogout) {
        opLogout();
      } else if (step instanceof Step.RotateKeys) {
        lab.rotateKeys();
      } else if (step instanceof Step.Fault f) {
        await(lab.injectFault(f.spec()));
      } else if (step instanceof Step.ClearFaults) {
        await(lab.clearFaults());
      } else if (step instanceof Step.OpSettings o) {
        await(lab.opSettings(o.settings()));
      }
    }

    private void logout(boolean confirm) throws Exception {
      URI gw = lab.gatewayUrl();
      // A click on the app's own sign-out link: same-origin, so no confirmation at the gateway.
      Map<String, String> headers = Map.of("Accept", "text/html", "Sec-Fetch-Site", "same-origin",
          "Origin", VirtualBrowser.origin(gw));
      Page page = await(browser.navigate(gw.resolve("/oauth2/sign_out"), headers, this::backAtGateway));
      if (confirm && page.status() == 200 && page.uri().getPort() == lab.opUrl().getPort() && VirtualBrowser.hasForm(page, null)) {
        // The OP asks "log out?" (no usable hint): press the button.
        page = await(browser.submitForm(page, null, Map.of(), this::backAtGateway));
      }
      remember(List.of(page));
    }

    private void opLogout() throws Exception {
      URI op = lab.opUrl();
      Page page = await(browser.navigate(URI.create(op + "/logout"), Map.of("Accept", "text/html"), this::backAtGateway));
      if (page.status() == 200 && VirtualBrowser.hasForm(page, null)) {
        page = await(browser.submitForm(page, null, Map.of(), this::backAtGateway));
      }
      remember(List.of(page));
    }

    /** Stop following redirects once the OP sends the browser back to the gateway. */
    private boolean backAtGateway(URI next) {
      return next.getPort() == lab.gatewayUrl().getPort() && !next.getPath().startsWith("/oauth2/sign_out");
    }

    private String sessionCookie() {
      return browser.cookies(lab.gatewayUrl().getHost()).get(lab.sessionCookieName());
    }

    private void remember(List<Page> pages) {
      lastPages = pages;
      lastJson = null;
      Page last = pages.get(pages.size() - 1);
      String type = last.header("Content-Type");
      if (type != null && type.toLowerCase(Locale.ROOT).contains("json") && last.body() != null) {
        try {
          lastJson = new JsonObject(last.body());
        } catch (DecodeException | ClassCastException e) {
          lastJson = null;
        }
      }
    }

    private List<Verdict> check(Expectations x, long opMark, long gwMark) {
      List<Verdict> out = new ArrayList<>();
      if (x.status() != null) {
        List<Integer> seen = lastPages.stream().map(Page::status).toList();
        boolean ok = !seen.isEmpty() && seen.stream().allMatch(s -> s.equals(x.status()));
        out.add(new Verdict(x.line(), "status " + x.status(), ok, seen.isEmpty() ? "no response" : summarize(seen)));
      }
      Page last = lastPages.isEmpty() ? null : lastPages.get(lastPages.size() - 1);
      x.headers().forEach((name, want) -> {
        String have = last == null ? null : last.header(name);
        boolean ok = have != null && (want.startsWith("~") ? Pattern.compile(want.substring(1)).matcher(have).find() : want.equals(have));
        out.add(new Verdict(x.line(), "header " + name + ": " + want, ok, String.valueOf(have)));
      });
      if (x.location() != null) {
        String have = last == null ? null : last.lastLocation();
        out.add(new Verdict(x.line(), "location " + x.location(), locationMatches(x.location(), last, have), String.valueOf(have)));
      }
      x.json().forEach((path, m) -> out.add(json(path, m)));
      for (Expectations.EventCount c : x.opEvents()) out.add(count(c, lab.opEvents(), opMark, "OP"));
      for (Expectations.EventCount c : x.gatewayEvents()) out.add(count(c, lab.gatewayEvents(), gwMark, "gateway"));
      if (x.sessionActive() != null) {
        Page p;
        try {
          p = await(browser.fetch("GET", lab.gatewayUrl().resolve("/oauth2/session"), Map.of("Accept", "application/json"), null));
        } catch (Exception e) {
          out.add(new Verdict(x.line(), "session-active " + x.sessionActive(), false, message(e)));
          return out;
        }
        boolean active = p.status() == 200;
        out.add(new Verdict(x.line(), "session-active " + x.sessionActive(), active == x.sessionActive(),
            "GET /oauth2/session → " + p.status()));
      }
      return out;
    }

    private boolean locationMatches(String want, Page last, String have) {
      if (have == null || last == null) return false;
      URI target = last.hops().isEmpty() ? URI.create(have) : last.hops().get(last.hops().size() - 1).uri().resolve(have);
      return switch (want) {
        case "op" -> target.getPort() == lab.opUrl().getPort() && Objects.equals(target.getHost(), lab.opUrl().getHost());
        case "gateway" -> target.getPort() == lab.gatewayUrl().getPort() && Objects.equals(target.getHost(), lab.gatewayUrl().getHost());
        default -> (target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery())).startsWith(want)
            || have.startsWith(want);
      };
    }

    private Verdict json(String path, Expectations.Matcher m) {
      String what = path + " " + m.describe();
      if (lastJson == null) {
        return new Verdict(m.line(), what, false, "the last response was not JSON");
      }
      Object v = JsonPath.get(lastJson, path);
      Instant now = lab.clock().instant();
      boolean ok = Matchers.test(m, v, now);
      return new Verdict(m.line(), what, ok, String.valueOf(v));
    }

    private Verdict count(Expectations.EventCount c, EventLog log, long mark, String who) {
      long n = log.snapshot().stream()
          .filter(e -> c.wholeScenario() || e.seq() > mark)
          .filter(e -> e.type().equals(c.type()))
          .filter(e -> c.where().entrySet().stream().allMatch(w -> w.getValue().equals(e.field(w.getKey()))))
          .count();
      boolean ok = c.exactly() != null ? n == c.exactly() : n >= c.atLeast();
      return new Verdict(c.line(), who + " events: " + c.describe(), ok, n + " seen");
    }
  }

  private static long lastSeq(EventLog log) {
    List<Event> all = log.snapshot();
    return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
  }

  private static String summarize(List<Integer> statuses) {
    Map<Integer, Long> counts = statuses.stream().collect(Collectors.groupingBy(Function.identity(), LinkedHashMap::new, Collectors.counting()));
    return counts.entrySet().stream().map(e -> e.getValue() == 1 ? String.valueOf(e.getKey()) : e.getKey() + "×" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer within " + STEP_TIMEOUT.toSeconds() + " s");
    }
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Reads {@code a.b[0].c} from JSON. */
  static final class JsonPath {
    private JsonPath() {}

    static Object get(Object root, String path) {
      Object cur = root;
      for (String part : path.split("\\.")) {
        String key = part;
        List<Integer> idx = new ArrayList<>();
        int b = part.indexOf('[');
        if (b >= 0) {
          key = part.substring(0, b);
          for (String i : part.substring(b).replace("]", "").split("\\[")) {
            if (!i.isEmpty()) idx.add(Integer.parseInt(i));
          }
        }
        if (!key.isEmpty()) {
          if (!(cur instanceof JsonObject o)) return null;
          cur = o.getValue(key);
        }
        for (int i : idx) {
          if (!(cur instanceof JsonArray a) || i >= a.size()) return null;
          cur = a.getValue(i);
        }
      }
      return cur;
    }
  }

  /** The json: matchers. */
  static final class Matchers {
    private Matchers() {}

    static boolean test(Expectations.Matcher m, Object v, Instant now) {
      Object want = m.operand();
      return switch (m.op()) {
        case "present" -> v != null;
        case "absent" -> v == null;
        case "equals" -> same(v, want);
        case "not" -> !same(v, want);
        case "gt" -> number(v) != null && number(want) != null && number(v) > number(want);
        case "lt" -> number(v) != null && number(want) != null && number(v) < number(want);
        case "after", "before" -> {
          Double have = number(v);
          if (have == null) yield false;
          Instant at = RelativeTime.parse(String.valueOf(want)).orElseThrow().apply(now);
          yield m.op().equals("after") ? have > at.getEpochSecond() : have < at.getEpochSecond();
        }
        case "contains" -> v instanceof JsonArray a ? a.getList().stream().anyMatch(i -> same(i, want))
            : v != null && String.valueOf(v).contains(String.valueOf(want));
        case "matches" -> v != null && Pattern.compile(String.valueOf(want)).matcher(String.valueOf(v)).find();
        default -> false;
      };
    }

    private static boolean same(Object have, Object want) {
      if (have instanceof Number a && want instanceof Number b) return a.doubleValue() == b.doubleValue();
      if (have instanceof JsonArray a && want instanceof List<?> l) return a.getList().equals(l);
      if (have instanceof JsonObject o && want instanceof Map<?, ?> mm) return o.getMap().equals(mm);
      return Objects.equals(have, want) || (have != null && want != null && !(have instanceof JsonObject)
          && !(have instanceof JsonArray) && String.valueOf(have).equals(String.valueOf(want)));
    }

    private static Double number(Object o) {
      if (o instanceof Number n) return n.doubleValue();
      if (o instanceof String s) {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          return null;
        }
      }
      return null;
    }
  }
}
