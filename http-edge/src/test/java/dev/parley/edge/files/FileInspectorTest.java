package dev.parley.edge.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.parley.edge.protocol.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The type by content and the checks of files, on real and hostile files (no server). */
class FileInspectorTest {

  private final FileSettings settings = FileSettings.fromConfig(ConfigFactory.load());
  private final FileInspector inspector = new FileInspector(settings);

  /** The whole inspection the upload path runs: detect, allow, scan and check images. Returns the type. */
  private String inspect(byte[] file) throws Exception {
    String type = inspector.detect(file.length > FileInspector.SNIFF_BYTES
        ? java.util.Arrays.copyOf(file, FileInspector.SNIFF_BYTES) : file);
    inspector.checkAllowed(type, settings.allowedTypes());
    if (FileInspector.isInlineImage(type)) {
      InputStream scan = FileInspector.scanning(new ByteArrayInputStream(file));
      scan.readAllBytes();
      inspector.checkScan(scan, type);
      inspector.checkImage(new ByteArrayInputStream(file), type);
    }
    return type;
  }

  private void assertRefused(byte[] file, ErrorCode code) {
    assertThatThrownBy(() -> inspect(file))
        .isInstanceOfSatisfying(FileRefused.class, r -> assertThat(r.code()).isEqualTo(code));
  }

  @Test
  void typesComeFromTheBytes() throws Exception {
    assertThat(inspect(SampleFiles.image("png", 64, 48, 1))).isEqualTo("image/png");
    assertThat(inspect(SampleFiles.image("jpg", 64, 48, 1))).isEqualTo("image/jpeg");
    assertThat(inspect(SampleFiles.image("gif", 64, 48, 1))).isEqualTo("image/gif");
    assertThat(inspect(SampleFiles.pdf())).isEqualTo("application/pdf");
    assertThat(inspect("Order 1234: two boxes, one damaged.\n订单 1234\n".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("text/plain");
  }

  @Test
  void anImageGetsItsSizeAndAThumbnailWithinTheSquare() throws Exception {
    byte[] png = SampleFiles.image("png", 1200, 400, 2);
    FileInspector.ImageFacts facts = inspector.checkImage(new ByteArrayInputStream(png), "image/png");
    assertThat(facts.width()).isEqualTo(1200);
    assertThat(facts.height()).isEqualTo(400);
    var thumbnail = ImageIO.read(new ByteArrayInputStream(facts.thumbnailPng()));
    assertThat(thumbnail.getWidth()).isEqualTo(settings.thumbnailSide());
    assertThat(thumbnail.getHeight()).isLessThan(settings.thumbnailSide());
  }

  @Test
  void svgWithScriptIsRefusedByType() {
    assertRefused(SampleFiles.svgWithScript(), ErrorCode.FILE_TYPE_REFUSED);
  }

  @Test
  void htmlIsRefusedWhateverItIsCalled() {
    assertRefused(SampleFiles.html(), ErrorCode.FILE_TYPE_REFUSED);
  }

  @Test
  void programsAreRefused() {
    assertRefused(SampleFiles.windowsExecutable(), ErrorCode.FILE_TYPE_REFUSED);
    assertRefused(SampleFiles.elfExecutable(), ErrorCode.FILE_TYPE_REFUSED);
  }

  @Test
  void polyglotImagesAreRefused() throws Exception {
    assertRefused(SampleFiles.pngHtmlPolyglot(), ErrorCode.IMAGE_REFUSED);
    assertRefused(uncheckedGif(), ErrorCode.IMAGE_REFUSED);
  }

  @Test
  void decompressionBombsAreRefusedBeforeDecoding() throws Exception {
    assertRefused(SampleFiles.pngBomb(100_000), ErrorCode.IMAGE_REFUSED);
    assertRefused(SampleFiles.pngBomb(15_000), ErrorCode.IMAGE_REFUSED); // each side allowed, the pixels not
  }

  @Test
  void aTypeTheSiteDoesNotAllowIsRefusedAndNeverTypesCannotBeAllowed() {
    assertThatThrownBy(() -> inspector.checkAllowed("application/pdf", List.of("image/png")))
        .isInstanceOf(FileRefused.class);
    assertThatThrownBy(() -> inspector.checkAllowed("image/svg+xml", List.of("image/svg+xml")))
        .isInstanceOf(FileRefused.class);
  }

  private static byte[] uncheckedGif() {
    try {
      return SampleFiles.gifWithScriptInside();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
