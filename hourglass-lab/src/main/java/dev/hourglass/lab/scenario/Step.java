package dev.hourglass.lab.scenario;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** One step of a scenario. Every step may carry an {@code expect:} block checked after it runs. */
public sealed interface Step {
  int line();

  Optional<Expectations> expect();

  /** A short description for the timeline, such as {@code login alice}. */
  String describe();

  /** {@code login: alice} — a browser logs in through the gateway as this user. */
  record Login(String user, String rd, int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "login " + user;
    }
  }

  /** {@code advance: 61m} — moves the one clock forward. */
  record Advance(Duration amount, int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "advance " + dev.hourglass.core.clock.Durations.format(amount);
    }
  }

  /**
   * {@code request: GET /path} — the logged-in browser (or an API client with {@code api: true})
   * calls the gateway; {@code concurrency: N} sends N at once.
   */
  record Request(String method, String path, Map<String, String> headers, int concurrency, boolean api,
      int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return method + " " + path + (concurrency > 1 ? " ×" + concurrency : "") + (api ? " (api)" : "");
    }
  }

  /** {@code session} — reads {@code /oauth2/session}; {@code json:} expectations apply to it. */
  record SessionRead(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "read /oauth2/session";
    }
  }

  /** {@code refresh} — asks the gateway to refresh the session's tokens now. */
  record Refresh(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "refresh now";
    }
  }

  /** {@code logout} — the browser signs out through the gateway and follows the OP's answer. */
  record Logout(boolean confirm, int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "logout";
    }
  }

  /** {@code op-logout} — the user logs out at the OP directly (another app started it). */
  record OpLogout(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "logout at the OP";
    }
  }

  /** {@code rotate-keys} — the OP rotates its signing keys. */
  record RotateKeys(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "OP rotates keys";
    }
  }

  /** {@code fault: {...}} — injects an OP fault (same JSON as POST /_hourglass/faults). */
  record Fault(Map<String, Object> spec, int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "OP fault " + spec;
    }
  }

  /** {@code clear-faults} — removes every injected OP fault. */
  record ClearFaults(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "OP faults cleared";
    }
  }

  /** {@code op-settings: {...}} — switches OP policies at run time (expired-hint, refresh-returns-id-token). */
  record OpSettings(Map<String, Object> settings, int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "OP settings " + settings;
    }
  }

  /** {@code expect: {...}} on its own — checks the state so far. */
  record Check(int line, Optional<Expectations> expect) implements Step {
    public String describe() {
      return "check";
    }
  }
}
