package dev.parley.persistence.blob;

import java.net.URI;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store against a real S3-compatible server (S3Proxy on a directory) in this JVM, with signed requests. */
class S3BlobStoreTest extends BlobStoreContract {

  private static final String IDENTITY = "parley-test";
  private static final String CREDENTIAL = "parley-test-secret";

  @TempDir static Path dir;
  private static S3Proxy proxy;
  private static S3BlobStore store;

  @BeforeAll
  static void start() throws Exception {
    var backend = new FilesystemNio2BlobStore(dir.toString());
    backend.createContainer("parley");
    proxy =
        S3Proxy.builder()
            .blobStore(backend)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V4, IDENTITY, CREDENTIAL)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    store =
        new S3BlobStore(
            new S3BlobStore.Settings(
                URI.create("http://127.0.0.1:" + proxy.getPort()), "us-east-1", "parley", true, IDENTITY,
                CREDENTIAL, "t/"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
  }

  @Override
  BlobStore store() {
    return store;
  }
}
