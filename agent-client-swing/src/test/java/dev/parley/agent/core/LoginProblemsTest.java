package dev.parley.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * What the login window says for each refusal (PROTOCOL.md §7, §8), as a table; the same refusals from a real server
 * are in TwoFactorSignInTest.
 */
class LoginProblemsTest {

  private static final Texts EN = new Texts(Texts.ENGLISH);
  private static final Texts ZH = new Texts(Texts.CHINESE);

  private static AuthApi.Refused refused(int status, String code, long retryAfterSeconds) {
    return new AuthApi.Refused(status, code, "", retryAfterSeconds);
  }

  @Test
  void eachRefusalOfAStepHasItsSentence() {
    Object[][] table = {
      {LoginProblems.Step.PASSWORD, refused(401, "invalid-credentials", 0), "Wrong username or password."},
      {LoginProblems.Step.CODE, refused(401, "invalid-credentials", 0), EN.get("login.wrongCode")},
      {LoginProblems.Step.ENROL, refused(400, "invalid-request", 0), EN.get("login.wrongEnrolCode")},
      {LoginProblems.Step.CODE, refused(401, "token-expired", 0),
        "The sign-in took too long: enter your password again."},
      {LoginProblems.Step.CODE, refused(401, "invalid-token", 0), EN.get("login.accessChanged")},
      {LoginProblems.Step.PASSWORD, refused(403, "account-disabled", 0),
        "This account is disabled: ask your site's admin."},
      {LoginProblems.Step.PASSWORD, refused(429, "rate-limited", 42), "Too many attempts: try again in 42s."},
      {LoginProblems.Step.CODE, refused(429, "rate-limited", 600), "Too many attempts: try again in 10 min."},
      {LoginProblems.Step.CODE, refused(429, "rate-limited", 0), "Too many attempts: try again later."},
      {LoginProblems.Step.PASSWORD, refused(503, "overloaded", 5), "The server is busy: try again in 5s."},
      {LoginProblems.Step.PASSWORD, refused(500, "http-500", 0), "Sign-in refused (http-500)"},
      {LoginProblems.Step.PASSWORD, new IOException("connection refused"), "Cannot reach the server"},
    };
    for (Object[] row : table) {
      assertThat(LoginProblems.describe(EN, (LoginProblems.Step) row[0], (Exception) row[1]))
          .as("%s %s", row[0], row[1] instanceof AuthApi.Refused r ? r.code() : row[1]).isEqualTo(row[2]);
    }
  }

  @Test
  void theCodeThatEndedASessionSaysWhyInBothLanguages() {
    assertThat(LoginProblems.loggedOut(EN, "invalid-token")).startsWith("The account's access changed");
    assertThat(LoginProblems.loggedOut(ZH, "invalid-token")).startsWith("账户的访问权限已变更");
    assertThat(LoginProblems.loggedOut(EN, "token-expired")).isEqualTo("Your session has ended: sign in again.");
    assertThat(LoginProblems.loggedOut(ZH, "two-factor-enrolment-required")).contains("两步验证");
    assertThat(LoginProblems.loggedOut(ZH, "rate-limited")).isEqualTo("登录被拒绝（rate-limited）");
  }
}
