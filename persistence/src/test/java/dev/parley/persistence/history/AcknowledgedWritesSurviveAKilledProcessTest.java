package dev.parley.persistence.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.conversation.Entry;
import dev.parley.persistence.config.PersistenceSettings;
import dev.parley.persistence.testing.Database;
import dev.parley.persistence.testing.JournalWriterMain;
import dev.parley.persistence.testing.Journals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The promise behind every ack: a writer process is killed with SIGKILL while it posts to several conversations at
 * once, and every message it acknowledged before dying is found in the journal afterwards.
 */
class AcknowledgedWritesSurviveAKilledProcessTest {

  private static final int CONVERSATIONS = 8;
  private static final int ACKS_BEFORE_KILL = 400;

  @ParameterizedTest
  @EnumSource(Database.class)
  void everyAcknowledgedMessageIsInTheJournalAfterAKill(Database database) throws Exception {
    PersistenceSettings settings = database.fresh();
    Journals.migratedLocalConfig(settings);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < CONVERSATIONS; i++) {
      ids.add(UUID.randomUUID().toString());
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Xmx256m");
    command.add(JournalWriterMain.class.getName());
    command.add(settings.kind().name());
    command.add(settings.jdbcUrl());
    command.add(settings.user());
    command.add(settings.password());
    command.addAll(ids);

    Process writer = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Map<String, Map<Long, String>> acked = new HashMap<>();
    int acks = 0;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acks < ACKS_BEFORE_KILL && (line = lines.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length == 4 && parts[0].equals("ACK")) {
          acked.computeIfAbsent(parts[1], k -> new HashMap<>()).put(Long.parseLong(parts[2]), parts[3]);
          acks++;
        }
      }
      // SIGKILL: no shutdown hook, no flush, no goodbye. Acks printed after our last read are not counted: we
      // only hold the process to what we saw it acknowledge.
      writer.destroyForcibly();
      assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acks).isGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

    ActorTestKit reader = ActorTestKit.create("reader", Journals.localConfig(settings));
    try {
      JournalConversationHistory history = new JournalConversationHistory(reader.system());
      for (var conversation : acked.entrySet()) {
        Map<Long, String> stored = new HashMap<>();
        long after = 0;
        while (true) {
          List<Entry> page =
              history
                  .entries(conversation.getKey(), after, Long.MAX_VALUE)
                  .toCompletableFuture()
                  .get(30, TimeUnit.SECONDS);
          if (page.isEmpty()) {
            break;
          }
          page.forEach(e -> stored.put(e.seq(), e.clientMessageId()));
          after = page.get(page.size() - 1).seq();
        }
        assertThat(stored)
            .as("conversation %s keeps every acknowledged message", conversation.getKey())
            .containsAllEntriesOf(conversation.getValue());
      }
    } finally {
      reader.shutdownTestKit();
    }
  }
}
