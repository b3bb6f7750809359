package io.imgedge.proxy.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of a memory hit on imgedge's stack, for scripts/bench: Netty on epoll with the same
 * request decoder, answering every request with one file's bytes held in direct memory, head
 * encoded once, and nothing else (no routing, cache lookup, metrics or logs). What imgedge's own
 * work per hit costs is the distance between the two.
 * {@code NettyFloorServer PORT FILE}; runs until killed.
 */
public final class NettyFloorServer {
    private NettyFloorServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] bytes = Files.readAllBytes(Path.of(args[1]));
        ByteBuffer body = direct(bytes);
        ByteBuffer head = direct(("HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpRequestDecoder(), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof HttpRequest) {
                                    ctx.write(Unpooled.wrappedBuffer(head.duplicate()), ctx.voidPromise());
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(body.duplicate()), ctx.voidPromise());
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                })
                .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }

    private static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
    }
}
