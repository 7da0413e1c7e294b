package dev.parley.edge.visitors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.edge.testing.GeoDatabase;
import org.junit.jupiter.api.Test;

/** The real pinned city database through MaxMind's reader; nothing that is not an address literal is looked up. */
class GeoLocatorTest {

  @Test
  void anAddressIsPlacedWithNamesInSeveralLanguages() {
    try (GeoLocator geo = GeoLocator.open(GeoDatabase.cityPath(), "")) {
      assertThat(geo.enabled()).isTrue();
      Place beijing = geo.locate(GeoDatabase.BEIJING);
      assertThat(beijing.countryCode()).isEqualTo("CN");
      assertThat(Place.name(beijing.city(), "zh-CN")).isEqualTo("北京");
      assertThat(Place.name(beijing.city(), "zh")).isEqualTo("北京");
      assertThat(Place.name(beijing.city(), "en")).isEqualTo("Beijing");
      assertThat(Place.name(beijing.city(), "ko")).as("unknown language: English").isEqualTo("Beijing");
      Place belfast = geo.locate(GeoDatabase.BELFAST);
      assertThat(belfast.countryCode()).isEqualTo("GB");
      assertThat(Place.name(belfast.region(), "en")).isEqualTo("Northern Ireland");
      assertThat(beijing.network()).isNull();
    }
  }

  @Test
  void privateNamesAndMissingFilesHaveNoPlaceAndNoError() {
    try (GeoLocator geo = GeoLocator.open(GeoDatabase.cityPath(), "")) {
      assertThat(geo.locate("10.1.2.3")).isEqualTo(Place.UNKNOWN);
      assertThat(geo.locate("127.0.0.1")).isEqualTo(Place.UNKNOWN);
      assertThat(geo.locate("example.com")).as("a name is never resolved").isEqualTo(Place.UNKNOWN);
      assertThat(geo.locate(null)).isEqualTo(Place.UNKNOWN);
      assertThat(geo.locate("::1")).isEqualTo(Place.UNKNOWN);
    }
    try (GeoLocator missing = GeoLocator.open("/nonexistent/GeoLite2-City.mmdb", "")) {
      assertThat(missing.enabled()).isFalse();
      assertThat(missing.locate(GeoDatabase.BEIJING)).isEqualTo(Place.UNKNOWN);
    }
  }

  @Test
  void initialsAreDrawnAsTheWidgetDrawsThem() {
    assertThat(Invitation.initials("Lin Wei")).isEqualTo("LW");
    assertThat(Invitation.initials("  mei  ")).isEqualTo("M");
    assertThat(Invitation.initials("王芳")).isEqualTo("王");
    assertThat(Invitation.initials("Anna Maria Lopez")).isEqualTo("AL");
    assertThat(Invitation.initials("")).isEqualTo("?");
    assertThat(Invitation.initials("😀 Smile")).isEqualTo("😀S");
  }
}
