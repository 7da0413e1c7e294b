package dev.parley.agent.ui;

import java.util.concurrent.atomic.AtomicInteger;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.SourceDataLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offer's ring: a short two-tone chime (E6 then C6, soft attack and decay) made in code as 16-bit PCM, played
 * every {@value #REPEAT_MILLIS} ms while {@link #ring} is on. Played on its own daemon thread, never the EDT. Where
 * the machine has no audio device (a server, Xvfb) it stays silent: the first failure is logged, nothing throws.
 */
final class Chime {

  private static final Logger LOG = LoggerFactory.getLogger(Chime.class);
  static final int REPEAT_MILLIS = 2_000;
  static final float RATE = 22_050f;
  static final double[] TONES_HZ = {1318.5, 1046.5};
  static final int TONE_MILLIS = 180;

  private static final byte[] SOUND = samples();

  private final Object lock = new Object();
  private final AtomicInteger rings = new AtomicInteger();
  // Guarded by lock.
  private boolean on;
  private Thread player;
  private boolean silent;
  private Thread lastPlayer;

  /** Starts (on) or stops (off) the repeating chime; idempotent. */
  void ring(boolean ring) {
    synchronized (lock) {
      if (ring == on) {
        return;
      }
      on = ring;
      if (ring) {
        player = new Thread(this::loop, "parley-chime");
        player.setDaemon(true);
        lastPlayer = player;
        player.start();
      } else {
        lock.notifyAll();
        player = null;
      }
    }
  }

  boolean ringing() {
    synchronized (lock) {
      return on;
    }
  }

  /** Whether the thread of the last ring is still alive (it ends soon after {@code ring(false)}). */
  boolean playerAlive() {
    synchronized (lock) {
      return lastPlayer != null && lastPlayer.isAlive();
    }
  }

  /** How many chimes were started (played, or skipped for want of a device): tests read it. */
  int rings() {
    return rings.get();
  }

  private void loop() {
    Thread self = Thread.currentThread();
    while (true) {
      synchronized (lock) {
        if (!on || player != self) {
          return;
        }
      }
      rings.incrementAndGet();
      play();
      synchronized (lock) {
        if (!on || player != self) {
          return;
        }
        try {
          lock.wait(REPEAT_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void play() {
    synchronized (lock) {
      if (silent) {
        return;
      }
    }
    AudioFormat format = new AudioFormat(RATE, 16, 1, true, false);
    try (SourceDataLine line = AudioSystem.getSourceDataLine(format)) {
      line.open(format);
      line.start();
      line.write(SOUND, 0, SOUND.length);
      line.drain();
    } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
      synchronized (lock) {
        silent = true; // no device: do not try again on every ring
      }
      LOG.info("no audio device for the offer chime ({}); offers ring silently", e.toString());
    }
  }

  /** The chime as little-endian signed 16-bit mono PCM: each tone with a 10 ms attack and an exponential decay. */
  static byte[] samples() {
    int perTone = (int) (RATE * TONE_MILLIS / 1000);
    byte[] out = new byte[TONES_HZ.length * perTone * 2];
    int attack = (int) (RATE / 100);
    int k = 0;
    for (double hz : TONES_HZ) {
      for (int i = 0; i < perTone; i++) {
        double envelope = Math.min(1.0, i / (double) attack) * Math.exp(-4.0 * i / perTone);
        double v = 0.35 * envelope * Math.sin(2 * Math.PI * hz * i / RATE);
        short s = (short) Math.round(v * Short.MAX_VALUE);
        out[k++] = (byte) s;
        out[k++] = (byte) (s >> 8);
      }
    }
    return out;
  }
}
