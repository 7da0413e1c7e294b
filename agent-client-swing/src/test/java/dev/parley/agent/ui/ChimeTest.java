package dev.parley.agent.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.agent.testing.Await;
import org.junit.jupiter.api.Test;

/** The generated chime: two audible tones without clipping, and ringing that repeats and stops, device or not. */
class ChimeTest {

  @Test
  void theChimeIsTwoAudibleTonesBelowFullScale() {
    byte[] pcm = Chime.samples();
    int perTone = (int) (Chime.RATE * Chime.TONE_MILLIS / 1000);
    assertThat(pcm).hasSize(2 * perTone * 2);
    for (int tone = 0; tone < 2; tone++) {
      int peak = 0;
      for (int i = tone * perTone; i < (tone + 1) * perTone; i++) {
        short s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
        peak = Math.max(peak, Math.abs(s));
      }
      assertThat(peak).as("tone %d peak", tone).isBetween(Short.MAX_VALUE / 10, Short.MAX_VALUE / 2);
    }
  }

  @Test
  void ringingRepeatsUntilStoppedAndNeverThrowsWithoutAnAudioDevice() {
    Chime chime = new Chime();
    chime.ring(true);
    Await.until("the chime rang twice", () -> chime.rings() >= 2);
    chime.ring(false);
    // The player is woken from its pause at once and ends; with it gone no ring can follow.
    Await.until("the chime's thread ended", () -> !chime.playerAlive());
    int after = chime.rings();
    chime.ring(true);
    Await.until("it rings again when asked", () -> chime.rings() > after);
    chime.ring(false);
    Await.until("and stops again", () -> !chime.playerAlive());
  }
}
