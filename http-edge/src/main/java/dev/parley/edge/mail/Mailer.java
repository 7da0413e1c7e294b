package dev.parley.edge.mail;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends e-mail over SMTP (Angus Mail) on one thread of its own, so that a slow or absent mail server never holds
 * an actor, a request or the shared blocking pool. Mails wait in memory, at most {@link #MAX_QUEUED_MAILS}; a
 * failed attempt is tried again with doubling, jittered delays up to {@link #MAX_RETRY_DELAY}, at most
 * {@code maxAttempts} times, then logged as lost. A crash loses what is queued (docs/DECISIONS.md, issue 14): the
 * messages themselves are in the conversation's journal, the mail only tells the team about them.
 */
public final class Mailer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Mailer.class);

  /** Mails accepted and not yet sent or given up; beyond, {@link #offer} refuses. */
  public static final int MAX_QUEUED_MAILS = 1000;
  static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(2);
  static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(10);

  /** One mail: plain text, UTF-8. {@code replyTo} may be null. {@code id} names it in logs (never its text). */
  public record Mail(String id, String to, String replyTo, String subject, String text) {}

  private final MailSettings settings;
  private final Session session;
  /** Owned by nobody in particular: incremented by callers of offer, decremented on the mail thread. */
  private final AtomicInteger queued = new AtomicInteger();
  /** Failed attempts since start (each retried or given up); written on the mail thread. */
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "parley-mail");
            t.setDaemon(true);
            return t;
          });

  public Mailer(MailSettings settings) {
    this.settings = settings;
    this.session = settings.enabled() ? session(settings) : null;
    if (settings.enabled()) {
      log.info("Mail goes through {}", settings);
    } else {
      log.info("Mail is off (parley.mail.smtp-host is empty): left messages reach agents only in the queue");
    }
  }

  public MailSettings settings() {
    return settings;
  }

  /** Whether mail can be sent at all. */
  public boolean enabled() {
    return session != null;
  }

  /** Accepts a mail for sending; false when mail is off or {@link #MAX_QUEUED_MAILS} are waiting. */
  public boolean offer(Mail mail) {
    if (session == null) {
      return false;
    }
    if (queued.incrementAndGet() > MAX_QUEUED_MAILS) {
      queued.decrementAndGet();
      log.warn("Mail {} refused: {} mails are waiting already", mail.id(), MAX_QUEUED_MAILS);
      return false;
    }
    thread.execute(() -> attempt(mail, 1));
    return true;
  }

  /** Mails accepted and not yet sent or given up. */
  public int queued() {
    return queued.get();
  }

  /** Attempts that failed since start, for monitoring. */
  public int failedAttempts() {
    return failedAttempts.get();
  }

  private void attempt(Mail mail, int attempt) {
    try {
      Transport.send(message(mail));
      queued.decrementAndGet();
      log.info("Mail {} sent (attempt {})", mail.id(), attempt);
    } catch (MessagingException | RuntimeException e) {
      failedAttempts.incrementAndGet();
      if (attempt >= settings.maxAttempts()) {
        queued.decrementAndGet();
        log.error("Mail {} given up after {} attempts: {}", mail.id(), attempt, e.toString());
        return;
      }
      long delay = retryDelayMillis(attempt);
      log.warn("Mail {} attempt {} failed, again in {} ms: {}", mail.id(), attempt, delay, e.toString());
      try {
        thread.schedule(() -> attempt(mail, attempt + 1), delay, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        queued.decrementAndGet();
        log.warn("Mail {} dropped: the node is stopping", mail.id());
      }
    }
  }

  /** Doubling from {@link #FIRST_RETRY_DELAY}, capped, with up to a quarter of jitter. */
  static long retryDelayMillis(int attempt) {
    long base = FIRST_RETRY_DELAY.toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, MAX_RETRY_DELAY.toMillis());
    return capped - ThreadLocalRandom.current().nextLong(capped / 4 + 1);
  }

  private MimeMessage message(Mail mail) throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(settings.from()));
    m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(mail.to(), true));
    if (mail.replyTo() != null) {
      m.setReplyTo(InternetAddress.parse(mail.replyTo(), true));
    }
    m.setSubject(mail.subject(), "UTF-8");
    m.setText(mail.text(), "UTF-8");
    m.setSentDate(new Date());
    m.setHeader("Auto-Submitted", "auto-generated");
    return m;
  }

  private static Session session(MailSettings s) {
    Properties p = new Properties();
    String timeout = Long.toString(s.timeout().toMillis());
    p.put("mail.smtp.host", s.host());
    p.put("mail.smtp.port", Integer.toString(s.port()));
    p.put("mail.smtp.connectiontimeout", timeout);
    p.put("mail.smtp.timeout", timeout);
    p.put("mail.smtp.writetimeout", timeout);
    if (s.security().equals("starttls")) {
      p.put("mail.smtp.starttls.enable", "true");
      p.put("mail.smtp.starttls.required", "true");
    } else if (s.security().equals("tls")) {
      p.put("mail.smtp.ssl.enable", "true");
      p.put("mail.smtp.ssl.checkserveridentity", "true");
    }
    if (s.username().isEmpty()) {
      return Session.getInstance(p);
    }
    p.put("mail.smtp.auth", "true");
    return Session.getInstance(
        p,
        new Authenticator() {
          @Override
          protected PasswordAuthentication getPasswordAuthentication() {
            return new PasswordAuthentication(s.username(), s.password());
          }
        });
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
