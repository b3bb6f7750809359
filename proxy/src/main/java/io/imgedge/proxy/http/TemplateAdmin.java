package io.imgedge.proxy.http;

import io.imgedge.proxy.error.ErrorMapper;
import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.image.TemplateImages;
import io.imgedge.proxy.template.Template;
import io.imgedge.proxy.template.TemplateParser;
import io.imgedge.proxy.template.TemplateRequest;
import io.imgedge.proxy.template.Templates;
import io.imgedge.proxy.url.SignatureVerifier;
import io.imgedge.storage.StoreException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The admin API of templates: {@code PUT /templates/{id}} checks a document whole and keeps it
 * (in the store, in force at once; 400 naming what is wrong, and nothing changes),
 * {@code GET /templates/{id}} gives it back, {@code DELETE /templates/{id}} removes it. Templates
 * of {@code templates.dir} are changed there (409 here). {@code GET /templates/{id}/preview} is a
 * page with the template rendered with its sample data and the signed URL that renders it.
 * Thread-safe.
 */
final class TemplateAdmin {
    private final TemplateImages renderings;
    private final Templates templates;
    private final SignatureVerifier signatures;
    private final ExecutorService blocking;

    TemplateAdmin(TemplateImages renderings, SignatureVerifier signatures, ExecutorService blocking) {
        this.renderings = renderings;
        this.templates = renderings.templates();
        this.signatures = signatures;
        this.blocking = blocking;
    }

    CompletableFuture<Reply> answer(FullHttpRequest request, String id) {
        if (id.endsWith("/preview") && (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD))) {
            return preview(id.substring(0, id.length() - "/preview".length()));
        }
        if (id.isEmpty() || id.contains("/")) {
            return CompletableFuture.completedFuture(Reply.error(HttpError.notFound("not found")));
        }
        HttpMethod method = request.method();
        byte[] body = method.equals(HttpMethod.PUT) ? ByteBufUtil.getBytes(request.content()) : null;
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (method.equals(HttpMethod.PUT)) {
                    Template template = templates.put(id, body);
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("id", template.id());
                    json.put("tenant", template.tenant());
                    json.put("version", template.version());
                    return new Reply.Json(200, json);
                }
                if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                    return templates.document(id).<Reply>map(doc -> new Reply.Bytes(200, "application/json", ByteBuffer.wrap(doc),
                            Map.of("cache-control", "no-store"))).orElseGet(() -> Reply.error(HttpError.notFound("no template " + id)));
                }
                if (method.equals(HttpMethod.DELETE)) {
                    return templates.delete(id) ? Reply.json(200, "deleted", id) : Reply.error(HttpError.notFound("no template " + id));
                }
                return Reply.error(HttpError.methodNotAllowed("method " + method + " not allowed", "GET, HEAD, PUT, DELETE"));
            } catch (TemplateParser.TemplateException e) {
                boolean conflict = e.getMessage().contains("templates.dir");
                return Reply.error(conflict ? HttpError.conflict(e.getMessage()) : HttpError.badRequest(e.getMessage()));
            } catch (StoreException e) {
                return Reply.error(HttpError.unavailable("the store cannot keep the template", e));
            }
        }, blocking);
    }

    /** The page: the template with its sample data, drawn as a request for its signed URL would draw it. */
    private CompletableFuture<Reply> preview(String id) {
        Optional<Template> template = templates.get(id);
        if (template.isEmpty()) {
            return CompletableFuture.completedFuture(Reply.error(HttpError.notFound("no template " + id)));
        }
        String data = Base64.getUrlEncoder().withoutPadding().encodeToString(template.get().sample().toString()
                .getBytes(StandardCharsets.UTF_8));
        String path = "/" + id + "/" + data + ".png";
        String url = "/t/" + signatures.signatureFor(path) + path;
        return renderings.render(TemplateRequest.parse("/" + signatures.signatureFor(path) + path, null, signatures), null)
                .<Reply>thenApply(image -> {
                    byte[] png = new byte[image.body().remaining()];
                    image.body().duplicate().get(png);
                    String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + id + "</title></head><body>"
                            + "<h1>" + id + "</h1><p>tenant " + template.get().tenant() + ", version " + template.get().version()
                            + "</p><img id=\"rendering\" alt=\"" + id + " with its sample data\" width=\"" + template.get().width()
                            + "\" height=\"" + template.get().height() + "\" src=\"data:image/png;base64,"
                            + Base64.getEncoder().encodeToString(png) + "\"><p>Signed URL: <code id=\"url\">" + url
                            + "</code></p></body></html>";
                    return new Reply.Text(200, "text/html; charset=utf-8", html);
                })
                .exceptionally(failure -> Reply.error(ErrorMapper.toHttpError(failure)));
    }
}
