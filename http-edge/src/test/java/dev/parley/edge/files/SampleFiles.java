package dev.parley.edge.files;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Files for the tests, made here: real images and documents, and the hostile kinds the server must refuse. */
final class SampleFiles {

  private SampleFiles() {}

  /** A real image of noise (so it does not compress to nothing), as PNG, JPEG or GIF. */
  static byte[] image(String format, int width, int height, long seed) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    Graphics2D g = image.createGraphics();
    g.setColor(Color.RED);
    g.fillRect(0, 0, width / 2, height / 2);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IllegalStateException("no writer for " + format);
    }
    return out.toByteArray();
  }

  /** A small, valid PDF. */
  static byte[] pdf() {
    return ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] svgWithScript() {
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\""
            + " height=\"10\"><script>fetch('/api/auth/me')</script><rect width=\"10\" height=\"10\"/></svg>\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** HTML, to be sent under a .png name. */
  static byte[] html() {
    return "<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>\n"
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A valid PNG with a page appended: shown as an image, run as a page if a browser ever sniffed it. */
  static byte[] pngHtmlPolyglot() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(image("png", 40, 30, 9));
    out.write("<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** A GIF whose comment block holds a script tag: a valid image end to end, with markup inside. */
  static byte[] gifWithScriptInside() throws IOException {
    byte[] gif = image("gif", 20, 20, 3);
    byte[] comment = "<script>alert(1)</script>".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The header and logical screen descriptor, then a comment extension, then the rest of the image.
    int headerEnd = 13 + ((gif[10] & 0x80) != 0 ? 3 * (1 << ((gif[10] & 0x07) + 1)) : 0);
    out.write(gif, 0, headerEnd);
    out.write(new byte[] {0x21, (byte) 0xFE, (byte) comment.length});
    out.write(comment);
    out.write(0);
    out.write(gif, headerEnd, gif.length - headerEnd);
    return out.toByteArray();
  }

  /** The start of a Windows program (MZ header, PE signature), to be sent under a .jpg name. */
  static byte[] windowsExecutable() {
    byte[] exe = new byte[1024];
    exe[0] = 'M';
    exe[1] = 'Z';
    exe[0x3C] = (byte) 0x80;
    exe[0x80] = 'P';
    exe[0x81] = 'E';
    byte[] text = "This program cannot be run in DOS mode.".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, exe, 0x4E, text.length);
    return exe;
  }

  /** The start of a Linux program (ELF header). */
  static byte[] elfExecutable() {
    byte[] elf = new byte[512];
    elf[0] = 0x7F;
    elf[1] = 'E';
    elf[2] = 'L';
    elf[3] = 'F';
    elf[4] = 2;
    elf[5] = 1;
    elf[6] = 1;
    elf[16] = 2;
    return elf;
  }

  /**
   * A decompression bomb: a well-formed PNG a few hundred bytes long that declares {@code side}×{@code side}
   * pixels, its data a deflate stream of zeros.
   */
  static byte[] pngBomb(int side) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(side);
    h.writeInt(side);
    h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit greyscale
    chunk(png, "IHDR", ihdr.toByteArray());
    Deflater deflater = new Deflater(9);
    deflater.setInput(new byte[1024 * 1024]);
    deflater.finish();
    byte[] buffer = new byte[64 * 1024];
    int n = deflater.deflate(buffer);
    deflater.end();
    byte[] idat = new byte[n];
    System.arraycopy(buffer, 0, idat, 0, n);
    chunk(png, "IDAT", idat);
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
    DataOutputStream out = new DataOutputStream(png);
    out.writeInt(data.length);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    out.write(name);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
