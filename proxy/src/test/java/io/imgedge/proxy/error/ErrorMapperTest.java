package io.imgedge.proxy.error;

import io.imgedge.storage.BlobTooLargeException;
import io.imgedge.storage.StoreException;
import io.imgedge.vips.VipsException;
import io.imgedge.vips.WorkerPoolFullException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorMapperTest {
    static int status(Throwable t) {
        return ErrorMapper.toHttpError(t).status();
    }

    @Test
    void statuses() {
        assertEquals(415, status(new VipsException(VipsException.Reason.UNSUPPORTED_FORMAT, "x")));
        assertEquals(422, status(new VipsException(VipsException.Reason.CORRUPT_INPUT, "x")));
        assertEquals(422, status(new VipsException(VipsException.Reason.LIMIT_EXCEEDED, "x")));
        assertEquals(500, status(new VipsException(VipsException.Reason.OPERATION_FAILED, "x")));
        assertEquals(503, status(new WorkerPoolFullException("full")));
        assertEquals(413, status(new BlobTooLargeException("k", 10)));
        assertEquals(502, status(new StoreException("down", new IOException())));
        assertEquals(503, status(new TimeoutException()));
        assertEquals(500, status(new IllegalStateException("bug")));
    }

    @Test
    void unwrapsAndKeepsHttpErrors() {
        HttpError notFound = HttpError.notFound("gone");
        assertSame(notFound, ErrorMapper.toHttpError(new CompletionException(new CompletionException(notFound))));
    }

    @Test
    void onlyOurFaultsAreReported() {
        assertTrue(ErrorMapper.toHttpError(new IllegalStateException("bug")).report());
        assertFalse(ErrorMapper.toHttpError(new VipsException(VipsException.Reason.CORRUPT_INPUT, "x")).report());
        assertEquals("internal error", ErrorMapper.toHttpError(new IllegalStateException("secret detail")).getMessage());
    }

    @Test
    void anOriginsAnswerKeepsItsStatus() {
        HttpError failed = HttpError.fromOrigin(500);
        assertEquals(502, failed.status());
        assertEquals(500, failed.originStatus());
        HttpError gone = HttpError.fromOrigin(410);
        assertEquals(404, gone.status());
        assertEquals(410, gone.originStatus());
        assertEquals(0, HttpError.badRequest("x").originStatus());
    }
}
