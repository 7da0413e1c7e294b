package dev.parley.edge.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The mailer against a real SMTP server in this process (GreenMail). */
class MailerTest {

  private static MailSettings settings(int port) {
    return new MailSettings(
        "127.0.0.1", port, "", "", "none", "Parley <parley@localhost>", "team@example.com", 5, Duration.ofSeconds(5));
  }

  @Test
  void aMailThatFailsWhileTheServerIsDownArrivesOnceItIsBack() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (Mailer mailer = new Mailer(settings(port))) {
      assertThat(mailer.offer(new Mailer.Mail("m-1", "team@example.com", null, "Hello 你好", "Body 正文"))).isTrue();
      // The first attempt finds nobody listening; the retry, about two seconds later, finds the server.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (mailer.failedAttempts() == 0 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
      }
      assertThat(mailer.failedAttempts()).isEqualTo(1);
      assertThat(mailer.queued()).isEqualTo(1);
      GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      smtp.start();
      try {
        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("Hello 你好");
        assertThat(smtp.getReceivedMessages()[0].getContent().toString()).contains("Body 正文");
        assertThat(mailer.failedAttempts()).isEqualTo(1);
      } finally {
        smtp.stop();
      }
    }
  }

  @Test
  void withoutAnSmtpHostNothingIsAccepted() {
    MailSettings off =
        new MailSettings("", 25, "", "", "none", "parley@localhost", "team@example.com", 5, Duration.ofSeconds(5));
    try (Mailer mailer = new Mailer(off)) {
      assertThat(mailer.enabled()).isFalse();
      assertThat(mailer.offer(new Mailer.Mail("m-2", "team@example.com", null, "s", "t"))).isFalse();
      assertThat(mailer.queued()).isZero();
    }
  }

  @Test
  void retryDelaysDoubleAndStayUnderTheCap() {
    assertThat(Mailer.retryDelayMillis(1)).isBetween(1500L, 2000L);
    assertThat(Mailer.retryDelayMillis(2)).isBetween(3000L, 4000L);
    assertThat(Mailer.retryDelayMillis(30)).isBetween(450_000L, 600_000L);
  }

  @Test
  void thePasswordNeverAppearsInTheSettingsText() {
    MailSettings s =
        new MailSettings("smtp.example.com", 587, "bot", "s3cret-pw", "starttls", "a@b.c", "", 3, Duration.ofSeconds(1));
    assertThat(s.toString()).doesNotContain("s3cret-pw").contains("smtp.example.com");
  }
}
