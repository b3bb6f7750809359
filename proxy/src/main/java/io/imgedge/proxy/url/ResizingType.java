package io.imgedge.proxy.url;

/** imgproxy's resizing types that imgedge implements. */
public enum ResizingType {
    FIT, FILL, FORCE
}
