package dev.parley.persistence.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default blob store: files under a directory of the node ({@code <data-dir>/blobs}), one folder per site.
 *
 * <p>A put writes a temporary file in the store's own {@code .incoming} folder (same file system), forces it to
 * disk, then renames it into place atomically and forces the folder, so a crash leaves either the old blob or the
 * new one, never a torn one, and a returned put survives a power cut. Leftover temporary files of a crash are
 * removed when the store opens. One node only: a cluster shares blobs through the S3-compatible store (or a shared
 * file system mounted at the same path on every node).
 */
public final class LocalBlobStore implements BlobStore {

  private static final Logger log = LoggerFactory.getLogger(LocalBlobStore.class);
  private static final String INCOMING = ".incoming";
  private static final int COPY_BUFFER_BYTES = 64 * 1024;

  private final Path root;
  private final Path incoming;

  public LocalBlobStore(Path root) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.incoming = this.root.resolve(INCOMING);
    Files.createDirectories(incoming);
    try (var leftovers = Files.list(incoming)) {
      for (Path p : (Iterable<Path>) leftovers::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public StoredBlob put(String siteId, String key, InputStream content, long maxBytes) throws IOException {
    Path target = path(siteId, key);
    Path temp = incoming.resolve(UUID.randomUUID() + ".part");
    try {
      HashingLimitedStream in = new HashingLimitedStream(content, maxBytes);
      try (FileChannel channel =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
        }
        out.flush();
        channel.force(true);
      }
      Files.createDirectories(target.getParent());
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the blob directory does not support atomic renames: " + root, e);
      }
      forceDirectory(target.getParent());
      return new StoredBlob(in.count(), in.sha256());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public Optional<BlobContent> get(String siteId, String key, ByteRange range) throws IOException {
    Path file = path(siteId, key);
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      long size = channel.size();
      long first = Math.min(range.first(), size);
      long last = range.last() == -1 ? size - 1 : Math.min(range.last(), size - 1);
      long length = Math.max(0, last - first + 1);
      channel.position(first);
      InputStream stream = new BoundedStream(Channels.newInputStream(channel), length);
      return Optional.of(new BlobContent(stream, first, length, size));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public boolean delete(String siteId, String key) throws IOException {
    return Files.deleteIfExists(path(siteId, key));
  }

  @Override
  public long usage(String siteId) throws IOException {
    BlobKeys.checkSite(siteId);
    Path dir = root.resolve(siteId);
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long[] total = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            total[0] += attrs.size();
            return FileVisitResult.CONTINUE;
          }
        });
    return total[0];
  }

  @Override
  public void close() {}

  private Path path(String siteId, String key) {
    BlobKeys.check(siteId, key);
    Path p = root.resolve(siteId).resolve(key).normalize();
    if (!p.startsWith(root.resolve(siteId))) {
      throw new IllegalArgumentException("bad blob key");
    }
    return p;
  }

  private static void forceDirectory(Path dir) {
    // why: the rename is durable only once the directory entry is on disk; some file systems refuse to open a
    // directory for this, and then the rename is as durable as the file system makes it.
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      log.debug("could not force directory {}: {}", dir, e.toString());
    }
  }

  /** A stream that ends after {@code remaining} bytes: a range of a file. */
  private static final class BoundedStream extends java.io.FilterInputStream {
    private long remaining;

    BoundedStream(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(buffer, offset, (int) Math.min(length, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }
  }
}
