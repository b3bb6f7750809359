package io.imgedge.proxy.url;

/** imgproxy's resizing types that imgedge implements. */
public enum ResizingType {
    FIT, FILL, FORCE,
    /** fill when source and box have the same orientation, else fit */
    AUTO,
    /** fill, but a smaller source is cut to the box's aspect ratio rather than enlarged */
    FILL_DOWN
}
