package dev.parley.edge.visitors;

import org.apache.pekko.actor.typed.ActorRef;

/** What sessions need for the live visitor list: this node's registry and the geolocation database. */
public record Presence(ActorRef<VisitorsNow.Command> registry, GeoLocator geo) {}
