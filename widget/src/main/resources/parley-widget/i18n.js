/* Parley panel strings: English and Simplified Chinese. {n} is replaced by a number. */
window.PARLEY_I18N = {
  en: {
    title: 'Chat with us', online: 'We reply in a few minutes', connecting: 'Connecting…',
    offline: 'You are offline. Messages will be sent when you are back.', reconnecting: 'Reconnecting…',
    placeholder: 'Type a message…', send: 'Send', close: 'Close chat', soundOn: 'Sound on', soundOff: 'Sound off',
    emoji: 'Emoji', erased: 'Message erased', sending: 'Sending…', sent: 'Sent', read: 'Read', failed: 'Not sent', retry: 'Retry',
    waiting: 'Waiting for an agent…', position: 'You are number {n} in the queue',
    joined: 'An agent joined the chat', joinedName: '{name} joined the chat', transferred: 'The chat was transferred',
    transferredName: '{name} transferred the chat', idleWarn: 'This chat will close in {n} min. unless you reply.',
    closedChat: 'This chat has ended. Write again to start a new one.',
    typing: 'Agent is typing…', away: 'Nobody is online right now. Leave a message and we will get back to you by email.',
    closedNow: 'We are closed right now. Leave a message and we will get back to you by email.',
    leaveText: 'Your message', byEmail: 'We will answer by email', leaveSend: 'Leave a message', leftTo: 'Thank you! We will answer at {email}.',
    name: 'Name', email: 'Email', question: 'How can we help?', start: 'Start chat',
    prechatIntro: 'Tell us a little about yourself and we will be right with you.',
    needQuestion: 'Please write your question.', needEmail: 'Please enter a valid email address.',
    tooLong: 'The message is too long.', newMessage: 'New message', you: 'You', agent: 'Agent',
    bubble: 'Open chat', rateAsk: 'How was this chat?', stars: '{n} of 5', rated: 'Thank you for your rating!',
    trAsk: 'Email me this chat', trSent: 'The transcript is on its way to your inbox.',
    trFailed: 'The transcript could not be sent. Please try again.',
    inviteReply: 'Reply', inviteClose: 'Close the invitation'
  },
  zh: {
    title: '在线客服', online: '我们通常几分钟内回复', connecting: '正在连接…',
    offline: '您已离线，恢复网络后消息会自动发送。', reconnecting: '正在重新连接…',
    placeholder: '输入消息…', send: '发送', close: '关闭', soundOn: '声音已开', soundOff: '声音已关',
    emoji: '表情', erased: '消息已删除', sending: '发送中…', sent: '已发送', read: '已读', failed: '发送失败', retry: '重试',
    waiting: '正在等待客服接入…', position: '您在排队中，第 {n} 位', joined: '客服已接入',
    joinedName: '客服 {name} 已接入', transferred: '会话已转接', transferredName: '{name} 已转接会话',
    idleWarn: '如无回复，本次会话将在 {n} 分钟后结束。',
    closedChat: '本次会话已结束，发送消息可开始新的会话。', typing: '客服正在输入…',
    away: '客服暂时不在线，请留言，我们会通过邮件尽快回复您。',
    closedNow: '现在是非工作时间，请留言，我们会通过邮件回复您。',
    leaveText: '留言内容', byEmail: '我们会通过邮件回复您', leaveSend: '提交留言', leftTo: '谢谢！我们会回复到 {email}。',
    name: '姓名', email: '邮箱', question: '请问有什么可以帮您？', start: '开始咨询',
    prechatIntro: '请留下您的信息，我们马上为您服务。',
    needQuestion: '请填写您的问题。', needEmail: '请输入有效的邮箱地址。',
    tooLong: '消息太长了。', newMessage: '新消息', you: '我', agent: '客服', bubble: '打开在线客服',
    rateAsk: '请为本次服务评分', stars: '{n} 星', rated: '感谢您的评价！',
    trAsk: '把聊天记录发到邮箱', trSent: '聊天记录已发送到您的邮箱。', trFailed: '聊天记录发送失败，请重试。',
    inviteReply: '回复', inviteClose: '关闭邀请'
  }
};
