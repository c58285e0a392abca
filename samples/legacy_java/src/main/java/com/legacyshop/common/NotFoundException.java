package com.legacyshop.common;

/** Thrown by services, mapped to 404 by the controllers. */
public class NotFoundException extends RuntimeException {

    public NotFoundException(String what, Long id) {
        super(what + " " + id + " not found");
    }
}
