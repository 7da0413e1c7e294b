package dev.parley.persistence.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs in an S3-compatible bucket — AWS S3, MinIO, Aliyun OSS in its S3-compatible mode — through the AWS SDK for
 * Java v2, as objects {@code <prefix><siteId>/<key>}.
 *
 * <p>A put streams: up to {@link #PART_BYTES} are buffered (the smallest part S3 accepts); a blob that fits is one
 * {@code PutObject}, a larger one a multipart upload of such parts, aborted on any failure, so at most one part per
 * put is ever in memory and a failed put leaves no object. S3 makes a completed put atomic and durable. Checksums
 * are sent only where S3 requires them: the SDK's newer default (trailing CRC checksums on every put) is refused
 * by several S3-compatible servers (DECISIONS.md, "Files (issue 15)").
 */
public final class S3BlobStore implements BlobStore {

  /** Buffered per put, and the size of every multipart part but the last: S3's minimum part size. */
  public static final int PART_BYTES = 5 * 1024 * 1024;
  private static final int MAX_CONNECTIONS = 32;
  private static final Duration CALL_TIMEOUT = Duration.ofMinutes(2);

  /** Where the bucket is: endpoint null for AWS itself; path-style for MinIO, S3Proxy and some OSS set-ups. */
  public record Settings(
      URI endpoint, String region, String bucket, boolean pathStyle, String accessKey, String secretKey,
      String prefix) {}

  private final S3Client s3;
  private final String bucket;
  private final String prefix;

  public S3BlobStore(Settings settings) {
    AwsCredentialsProvider credentials =
        settings.accessKey() == null || settings.accessKey().isBlank()
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    var builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(settings.pathStyle())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .overrideConfiguration(c -> c.apiCallTimeout(CALL_TIMEOUT))
            .httpClientBuilder(Apache5HttpClient.builder().maxConnections(MAX_CONNECTIONS));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    this.s3 = builder.build();
    this.bucket = settings.bucket();
    this.prefix = settings.prefix() == null ? "" : settings.prefix();
  }

  @Override
  public StoredBlob put(String siteId, String key, InputStream content, long maxBytes) throws IOException {
    String name = name(siteId, key);
    HashingLimitedStream in = new HashingLimitedStream(content, maxBytes);
    byte[] part = new byte[PART_BYTES];
    int n = in.readNBytes(part, 0, PART_BYTES);
    try {
      if (n < PART_BYTES) {
        s3.putObject(b -> b.bucket(bucket).key(name), body(part, n));
        return new StoredBlob(in.count(), in.sha256());
      }
      String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(name)).uploadId();
      try {
        List<CompletedPart> parts = new ArrayList<>();
        while (n > 0) {
          int number = parts.size() + 1;
          String etag =
              s3.uploadPart(
                      b -> b.bucket(bucket).key(name).uploadId(uploadId).partNumber(number),
                      body(part, n))
                  .eTag();
          parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
          n = in.readNBytes(part, 0, PART_BYTES);
        }
        s3.completeMultipartUpload(
            b -> b.bucket(bucket).key(name).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        return new StoredBlob(in.count(), in.sha256());
      } catch (IOException | RuntimeException e) {
        abort(name, uploadId, e);
        throw e;
      }
    } catch (SdkException e) {
      throw new IOException("S3 put of a blob of site " + siteId + " failed", e);
    }
  }

  @Override
  public Optional<BlobContent> get(String siteId, String key, ByteRange range) throws IOException {
    String name = name(siteId, key);
    try {
      Optional<HeadObjectResponse> head = head(name);
      if (head.isEmpty()) {
        return Optional.empty();
      }
      long size = head.get().contentLength();
      long first = Math.min(range.first(), size);
      long last = range.last() == -1 ? size - 1 : Math.min(range.last(), size - 1);
      long length = Math.max(0, last - first + 1);
      if (length == 0) {
        return Optional.of(new BlobContent(InputStream.nullInputStream(), first, 0, size));
      }
      InputStream stream =
          s3.getObject(b -> b.bucket(bucket).key(name).range("bytes=" + first + "-" + last));
      return Optional.of(new BlobContent(stream, first, length, size));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new IOException("S3 get of a blob of site " + siteId + " failed", e);
    }
  }

  @Override
  public boolean delete(String siteId, String key) throws IOException {
    String name = name(siteId, key);
    try {
      boolean existed = head(name).isPresent();
      s3.deleteObject(b -> b.bucket(bucket).key(name));
      return existed;
    } catch (SdkException e) {
      throw new IOException("S3 delete of a blob of site " + siteId + " failed", e);
    }
  }

  @Override
  public long usage(String siteId) throws IOException {
    BlobKeys.checkSite(siteId);
    try {
      long total = 0;
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + siteId + "/")).contents()) {
        total += o.size();
      }
      return total;
    } catch (SdkException e) {
      throw new IOException("S3 listing of site " + siteId + " failed", e);
    }
  }

  @Override
  public void close() {
    s3.close();
  }

  private Optional<HeadObjectResponse> head(String name) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket).key(name)));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private void abort(String name, String uploadId, Exception cause) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(name).uploadId(uploadId));
    } catch (SdkException e) {
      // why: the bucket's lifecycle rule for incomplete multipart uploads (OPERATIONS.md) removes what is left.
      cause.addSuppressed(e);
    }
  }

  private String name(String siteId, String key) {
    BlobKeys.check(siteId, key);
    return prefix + siteId + "/" + key;
  }

  private static RequestBody body(byte[] bytes, int length) {
    return RequestBody.fromInputStream(new ByteArrayInputStream(bytes, 0, length), length);
  }
}
