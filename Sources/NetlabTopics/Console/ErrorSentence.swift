import Foundation
import NetlabSockets

/// One sentence for any error, never a stack trace: what netlab prints after `netlab: `.
public enum ErrorSentence {
    public static func describing(_ error: any Error) -> String {
        switch error {
        case let error as SocketError: error.description
        case let error as RuntimeError: error.description
        case let error as FrameError: error.description
        default: error.localizedDescription
        }
    }
}
