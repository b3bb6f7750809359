package io.imgedge.proxy.http;

import io.imgedge.proxy.error.HttpError;
import io.imgedge.proxy.template.Template;
import io.imgedge.proxy.template.TemplateParser;
import io.imgedge.proxy.template.Templates;
import io.imgedge.storage.StoreException;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The admin API of templates: {@code PUT /templates/{id}} checks a document whole and keeps it
 * (in the store, in force at once; 400 naming what is wrong, and nothing changes),
 * {@code GET /templates/{id}} gives it back, {@code DELETE /templates/{id}} removes it. Templates
 * of {@code templates.dir} are changed there (409 here). Thread-safe.
 */
final class TemplateAdmin {
    private final Templates templates;
    private final ExecutorService blocking;

    TemplateAdmin(Templates templates, ExecutorService blocking) {
        this.templates = templates;
        this.blocking = blocking;
    }

    CompletableFuture<Reply> answer(FullHttpRequest request, String id) {
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
}
