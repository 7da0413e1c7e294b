package dev.parley.persistence.search;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.cjk.CJKBigramFilter;
import org.apache.lucene.analysis.cjk.CJKWidthCharFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.miscellaneous.ConditionalTokenFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;

/**
 * Turns chat text into search terms, for Chinese and English at once, with Lucene's analyzers; PostgreSQL
 * full-text ({@code tsvector}/{@code tsquery}, GIN) indexes and ranks those terms.
 *
 * <p>The chain: Unicode word segmentation (UAX #29, {@link StandardTokenizer}: Han characters come out one by one,
 * Latin words whole), full-width to half-width forms, lower case, then
 *
 * <ul>
 *   <li>Chinese (and Japanese, Korean): overlapping bigrams ({@link CJKBigramFilter}), so that 茉莉花 is indexed as
 *       茉莉 and 莉花 and a search for 茉莉 or 发货 finds them inside longer runs without a dictionary. The index also
 *       keeps the single characters, so a one-character search finds something; a query of two or more characters
 *       uses bigrams only, which are far more selective.
 *   <li>English: possessives and stop words removed, then the Porter stemmer (on Latin words only), so "Ship",
 *       "ships" and "shipping" all become {@code ship}.
 * </ul>
 *
 * Why bigrams rather than a dictionary segmenter (smartcn): a segmenter keeps 茉莉花 as one word, and a search for
 * 茉莉 then misses it; bigrams find every two-character word inside any run, at the cost of a larger index.
 *
 * <p>Thread-safe: Lucene analyzers keep their token streams per thread.
 */
public final class TextAnalyzer {

  /** PostgreSQL's largest tsvector position; later words share it (they are still found, ranked a bit lower). */
  private static final int MAX_POSITION = 16_383;
  /** Longer words are dropped (PostgreSQL refuses lexemes above 2,047 bytes; nobody searches for them). */
  private static final int MAX_TERM_CHARS = 100;

  private final Analyzer index = analyzer(true);
  private final Analyzer query = analyzer(false);

  /** One term with where it came from in the text (UTF-16 offsets). */
  public record Token(String term, int start, int end, int position) {}

  /** The terms of a stored text, with offsets: single CJK characters included. */
  public List<Token> indexTokens(String text) {
    return tokens(index, text);
  }

  /** The distinct terms of a search, in order of appearance. */
  public List<String> queryTerms(String text) {
    Set<String> terms = new LinkedHashSet<>();
    for (Token t : tokens(query, text)) {
      terms.add(t.term());
    }
    return List.copyOf(terms);
  }

  /**
   * The {@code tsvector} literal of a text ({@code 'term':1,4 'other':2}), or null when it has no terms. Cast it
   * with {@code ?::tsvector}: lexemes are taken as they are, never re-parsed by PostgreSQL.
   */
  public String tsvector(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Map<String, List<Integer>> positions = new TreeMap<>();
    for (Token t : indexTokens(text)) {
      List<Integer> list = positions.computeIfAbsent(t.term(), k -> new ArrayList<>());
      if (list.size() < 256) { // PostgreSQL keeps at most 256 positions per lexeme
        list.add(Math.min(t.position(), MAX_POSITION));
      }
    }
    if (positions.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    positions.forEach(
        (term, list) -> {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          quote(sb, term).append(':');
          for (int i = 0; i < list.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(list.get(i));
          }
        });
    return sb.toString();
  }

  /** The {@code tsquery} literal requiring every term ({@code 'a' & 'b'}), or null when the search has no terms. */
  public String tsquery(List<String> terms) {
    if (terms.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (String term : terms) {
      if (sb.length() > 0) {
        sb.append(" & ");
      }
      quote(sb, term);
    }
    return sb.toString();
  }

  /** A lexeme in single quotes, with quotes and backslashes escaped as tsvector/tsquery input wants. */
  private static StringBuilder quote(StringBuilder sb, String term) {
    sb.append('\'');
    for (int i = 0; i < term.length(); i++) {
      char ch = term.charAt(i);
      if (ch == '\'' || ch == '\\') {
        sb.append(ch);
      }
      sb.append(ch);
    }
    return sb.append('\'');
  }

  private static List<Token> tokens(Analyzer analyzer, String text) {
    List<Token> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    try (TokenStream ts = analyzer.tokenStream("body", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
      PositionIncrementAttribute increment = ts.addAttribute(PositionIncrementAttribute.class);
      ts.reset();
      int position = 0;
      while (ts.incrementToken()) {
        position += Math.max(increment.getPositionIncrement(), 0);
        if (term.length() == 0 || term.length() > MAX_TERM_CHARS) {
          continue;
        }
        out.add(new Token(term.toString(), offset.startOffset(), offset.endOffset(), Math.max(position, 1)));
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringReader does not fail
    }
    return out;
  }

  private static Analyzer analyzer(boolean unigrams) {
    return new Analyzer() {
      @Override
      protected Reader initReader(String fieldName, Reader reader) {
        return new CJKWidthCharFilter(reader);
      }

      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        Tokenizer source = new StandardTokenizer();
        TokenStream stream = new LowerCaseFilter(source);
        stream =
            new CJKBigramFilter(
                stream,
                CJKBigramFilter.HAN | CJKBigramFilter.HIRAGANA | CJKBigramFilter.KATAKANA | CJKBigramFilter.HANGUL,
                unigrams);
        stream = new EnglishPossessiveFilter(stream);
        stream = new StopFilter(stream, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
        stream = latinOnly(stream);
        return new TokenStreamComponents(source, stream);
      }

      @Override
      protected Reader initReaderForNormalization(String fieldName, Reader reader) {
        return new CJKWidthCharFilter(reader);
      }
    };
  }

  /** The Porter stemmer for Latin-script words only; CJK grams and numbers pass unchanged. */
  private static TokenStream latinOnly(TokenStream in) {
    return new ConditionalTokenFilter(in, PorterStemFilter::new) {
      private final TypeAttribute type = addAttribute(TypeAttribute.class);

      @Override
      protected boolean shouldFilter() {
        return "<ALPHANUM>".equals(type.type());
      }
    };
  }
}
