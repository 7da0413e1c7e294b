package dev.parley.core.visitor;

import dev.parley.core.serialization.CborSerializable;

/** The visitor's browser, operating system and kind of device ({@code desktop}, {@code mobile}, {@code tablet}). */
public record Device(String browser, String os, String type) implements CborSerializable {}
