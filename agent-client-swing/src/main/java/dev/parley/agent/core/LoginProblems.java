package dev.parley.agent.core;

import java.io.IOException;

/**
 * What the login window says when a step of signing in fails, or why it is shown again after the session ended: one
 * sentence per protocol code (PROTOCOL.md §7, §8) in the person's language, with the wait the server asked for where
 * it asked for one. Plain values in, text out, so every case is tested without a window.
 */
public final class LoginProblems {

  /** The step that failed: the same code means different things after a password and after a code. */
  public enum Step {
    PASSWORD,
    CODE,
    ENROL
  }

  private LoginProblems() {}

  /** The sentence for a failed step; {@code failure} is what the {@link AuthApi} call threw. */
  public static String describe(Texts texts, Step step, Exception failure) {
    if (!(failure instanceof AuthApi.Refused refused)) {
      if (failure instanceof javax.net.ssl.SSLException) {
        return texts.get("login.tlsFailed"); // the server's certificate is not trusted, or TLS failed
      }
      return failure instanceof IOException ? texts.get("login.unreachable") : texts.get("login.failed");
    }
    return switch (refused.code()) {
      // login/2fa answers a wrong or used code as wrong credentials, 2fa/confirm as an invalid request (the code)
      case "invalid-credentials", "invalid-request", "invalid-field" -> switch (step) {
        case PASSWORD -> "invalid-credentials".equals(refused.code())
            ? texts.get("login.wrongPassword")
            : texts.get("login.refused", refused.code());
        case CODE -> texts.get("login.wrongCode");
        case ENROL -> texts.get("login.wrongEnrolCode");
      };
      case "token-expired" -> texts.get(step == Step.CODE ? "login.challengeExpired" : "login.sessionEnded");
      case "rate-limited" ->
          refused.retryAfterSeconds() > 0
              ? texts.get("login.throttled", wait(texts, refused.retryAfterSeconds()))
              : texts.get("login.throttledLater");
      case "overloaded" ->
          refused.retryAfterSeconds() > 0
              ? texts.get("login.busy", wait(texts, refused.retryAfterSeconds()))
              : texts.get("login.busyLater");
      default -> loggedOut(texts, refused.code());
    };
  }

  /** A wait the server asked for, as a person reads it: seconds up to a minute and a half, else whole minutes. */
  static String wait(Texts texts, long seconds) {
    return seconds <= 90 ? texts.get("time.seconds", seconds) : texts.get("time.minutes", (seconds + 59) / 60);
  }

  /**
   * Why the person must sign in again, from the code that ended the session ({@link ConnectionState#LOGGED_OUT}'s
   * detail), or from any other refusal's code.
   */
  public static String loggedOut(Texts texts, String code) {
    if (code == null) {
      return texts.get("connection.loggedOut");
    }
    return switch (code) {
      case "invalid-token" -> texts.get("login.accessChanged");
      case "token-expired" -> texts.get("login.sessionEnded");
      case "account-disabled" -> texts.get("login.disabled");
      case "two-factor-enrolment-required" -> texts.get("login.enrolmentRequired");
      default -> texts.get("login.refused", code);
    };
  }
}
