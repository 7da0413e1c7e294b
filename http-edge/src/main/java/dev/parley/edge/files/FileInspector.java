package dev.parley.edge.files;

import dev.parley.edge.protocol.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;
import org.apache.tika.detect.DefaultDetector;
import org.apache.tika.detect.Detector;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;

/**
 * Decides what a file is from its bytes alone, and whether the server takes it: the type by magic bytes (Apache
 * Tika's detector, given no name and no client type), the site's allowed types and the types never allowed
 * ({@link FileSettings#NEVER}); for the images that will be shown inline, a pure image (no markup inside, nothing
 * after its end), a readable header within the pixel limits (checked before any decoding: decompression bombs),
 * and a thumbnail made from a subsampled decode (Thumbnailator), so memory stays near the thumbnail's size.
 */
public final class FileInspector {

  /** The bytes the detector looks at: the start of the file. */
  public static final int SNIFF_BYTES = 64 * 1024;
  /** Raster images shown inline once checked; every other type is only ever a download. */
  public static final Set<String> INLINE_IMAGES = Set.of("image/png", "image/jpeg", "image/gif");

  private static final byte[] PNG_END = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

  /** An image's size, and its thumbnail as PNG bytes. */
  public record ImageFacts(int width, int height, byte[] thumbnailPng) {}

  private final Detector detector = new DefaultDetector(MimeTypes.getDefaultMimeTypes());
  private final FileSettings settings;
  /** Decodes running at once (each holds a subsampled raster). */
  private final Semaphore decoding;

  public FileInspector(FileSettings settings) {
    this.settings = settings;
    this.decoding = new Semaphore(settings.maxConcurrentImageChecks());
  }

  /** The media type of a file that starts with {@code head} (its first {@link #SNIFF_BYTES} or all of it). */
  public String detect(byte[] head) throws IOException {
    MediaType type = detector.detect(new ByteArrayInputStream(head), new Metadata());
    return type.getBaseType().toString();
  }

  /** Refuses a type that the site does not allow, or that is never allowed. */
  public void checkAllowed(String mediaType, Collection<String> allowed) throws FileRefused {
    if (FileSettings.NEVER.contains(mediaType) || !allowed.contains(mediaType)) {
      throw new FileRefused(ErrorCode.FILE_TYPE_REFUSED, "files of type " + mediaType + " are not accepted", mediaType);
    }
  }

  /** Whether files of this type get the image checks and may be shown inline. */
  public static boolean isInlineImage(String mediaType) {
    return INLINE_IMAGES.contains(mediaType);
  }

  /** A scanning stream for {@link #checkScan}: wrap the file's bytes in it while storing them. */
  public static InputStream scanning(InputStream in) {
    return new MarkupScan(in);
  }

  /** Refuses an image with markup inside or data after its end (a polyglot), from what the scan saw. */
  public void checkScan(InputStream scanned, String mediaType) throws FileRefused {
    MarkupScan scan = (MarkupScan) scanned;
    if (scan.markup() != null) {
      throw new FileRefused(
          ErrorCode.IMAGE_REFUSED, "the image holds markup (" + scan.markup() + "): refused as a polyglot", mediaType);
    }
    if (!endsLikeItsType(scan.tail(), mediaType)) {
      throw new FileRefused(ErrorCode.IMAGE_REFUSED, "data after the end of the image: refused as a polyglot", mediaType);
    }
  }

  static boolean endsLikeItsType(byte[] tail, String mediaType) {
    int n = tail.length;
    return switch (mediaType) {
      case "image/png" -> n >= PNG_END.length && Arrays.equals(Arrays.copyOfRange(tail, n - PNG_END.length, n), PNG_END);
      case "image/gif" -> n >= 1 && tail[n - 1] == 0x3B;
      case "image/jpeg" -> n >= 2 && tail[n - 2] == (byte) 0xFF && tail[n - 1] == (byte) 0xD9;
      default -> true;
    };
  }

  /**
   * Reads the image's header and refuses it past the size limits before decoding anything, then decodes it
   * subsampled to about twice the thumbnail's side and makes the thumbnail. A file that does not decode as its
   * detected type is refused.
   */
  public ImageFacts checkImage(InputStream file, String mediaType) throws FileRefused, IOException {
    try {
      decoding.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting to check an image", e);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file)) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mediaType);
      if (in == null || !readers.hasNext()) {
        throw new FileRefused(ErrorCode.IMAGE_REFUSED, "no reader for " + mediaType, mediaType);
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0 || width > settings.maxImageSide() || height > settings.maxImageSide()
            || (long) width * height > settings.maxImagePixels()) {
          throw new FileRefused(
              ErrorCode.IMAGE_REFUSED,
              "the image is " + width + "×" + height + " pixels, more than this server decodes", mediaType);
        }
        ImageReadParam param = reader.getDefaultReadParam();
        int step = Math.max(1, Math.max(width, height) / (settings.thumbnailSide() * 2));
        param.setSourceSubsampling(step, step, 0, 0);
        BufferedImage decoded = reader.read(0, param);
        ByteArrayOutputStream thumbnail = new ByteArrayOutputStream();
        Thumbnails.of(decoded)
            .size(settings.thumbnailSide(), settings.thumbnailSide())
            .outputFormat("png")
            .toOutputStream(thumbnail);
        return new ImageFacts(width, height, thumbnail.toByteArray());
      } catch (IOException | RuntimeException e) {
        throw new FileRefused(ErrorCode.IMAGE_REFUSED, "the image does not decode: " + e.getMessage(), mediaType);
      } finally {
        reader.dispose();
      }
    } finally {
      decoding.release();
    }
  }
}
