package dev.parley.persistence.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest extends BlobStoreContract {

  @TempDir Path dir;
  private LocalBlobStore store;

  @BeforeEach
  void open() throws Exception {
    store = new LocalBlobStore(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  BlobStore store() {
    return store;
  }

  @Test
  void aFailedPutLeavesNoTemporaryFileAndACrashsLeftoversGoAtOpen() throws Exception {
    String site = site();
    try {
      store.put(site, "x", new Generated(3000, 1).failingAt(2000), 10_000);
    } catch (java.io.IOException expected) {
      // the client went away
    }
    try (var files = Files.list(dir.resolve(".incoming"))) {
      assertEquals(0, files.count());
    }
    Files.writeString(dir.resolve(".incoming").resolve("crashed.part"), "half");
    new LocalBlobStore(dir).close();
    try (var files = Files.list(dir.resolve(".incoming"))) {
      assertEquals(0, files.count());
    }
  }
}
