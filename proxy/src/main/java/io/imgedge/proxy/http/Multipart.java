package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Files in a {@code multipart/form-data} body, read whole with Netty's decoder. Pure. */
public final class Multipart {
    /** Fields a multipart upload may have; the image is one of them. */
    static final int MAX_FIELDS = 32;

    /** A file field: its name, the file name the client gave ("" for none) and its bytes. */
    public record File(String field, String filename, byte[] bytes) {
    }

    private Multipart() {
    }

    /** Whether {@code request} says its body is {@code multipart/form-data} with a boundary. */
    public static boolean isMultipart(HttpRequest request) {
        return HttpPostRequestDecoder.isMultipart(request);
    }

    /**
     * The file in the field {@code name}, or the first file of any field when {@code name} is null;
     * empty when there is none.
     *
     * @throws HttpError 400 for a body that does not parse or has too many fields
     */
    public static Optional<File> file(HttpRequest request, byte[] body, String name) {
        DefaultFullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                request.uri(), Unpooled.wrappedBuffer(body), request.headers(), EmptyHttpHeaders.INSTANCE);
        HttpPostRequestDecoder decoder = null;
        try {
            decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), full, StandardCharsets.UTF_8,
                    MAX_FIELDS, -1);
            for (InterfaceHttpData field : decoder.getBodyHttpDatas()) {
                if (field instanceof FileUpload upload && (name == null || name.equals(upload.getName()))) {
                    return Optional.of(new File(upload.getName(), upload.getFilename() == null ? "" : upload.getFilename(),
                            upload.get()));
                }
            }
            return Optional.empty();
        } catch (HttpPostRequestDecoder.TooManyFormFieldsException e) {
            throw HttpError.badRequest("a multipart upload may have at most " + MAX_FIELDS + " fields");
        } catch (DecoderException | IOException | IllegalArgumentException | IllegalStateException e) {
            throw HttpError.badRequest("malformed multipart body" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } finally {
            if (decoder != null) {
                decoder.destroy();
            }
            full.release();
        }
    }
}
