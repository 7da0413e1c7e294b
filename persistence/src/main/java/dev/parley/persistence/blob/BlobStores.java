package dev.parley.persistence.blob;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * Opens the blob store that {@code parley.persistence.blobs} names: {@code local} (the default, a directory under
 * the node's data directory) or {@code s3} (an S3-compatible bucket).
 */
public final class BlobStores {

  private BlobStores() {}

  public static BlobStore open(Config config) throws IOException {
    Config blobs = config.getConfig("parley.persistence.blobs");
    String kind = blobs.getString("kind");
    switch (kind) {
      case "local":
        String dir = blobs.getString("dir");
        Path root =
            dir.isBlank()
                ? Path.of(config.getString("parley.persistence.database.data-dir")).resolve("blobs")
                : Path.of(dir);
        return new LocalBlobStore(root);
      case "s3":
        Config s3 = blobs.getConfig("s3");
        String endpoint = s3.getString("endpoint");
        return new S3BlobStore(
            new S3BlobStore.Settings(
                endpoint.isBlank() ? null : URI.create(endpoint), s3.getString("region"), s3.getString("bucket"),
                s3.getBoolean("path-style"), s3.getString("access-key"), s3.getString("secret-key"),
                s3.getString("prefix")));
      default:
        throw new IllegalArgumentException("parley.persistence.blobs.kind must be local or s3, not " + kind);
    }
  }
}
